"""`q` is an indexed search that finds exactly what a substring test finds.

SQLite: an FTS5 trigram table kept in step by triggers on the issue view, through the
projections' inserts and updates, deletes (gallring's rebuild), replay's swap of the whole
view, and a store that an earlier release wrote without the index. PostgreSQL: the plan of a
`q` search uses the pg_trgm GIN index.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, insert, text

from application import commands as c
from application.ports import CommandContext
from domain.issue import Issue
from domain.values import Actor, Provenance, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.views import text_search
from infrastructure.views.projections import Projector, record_row
from infrastructure.views.queries import RecordQueries
from infrastructure.views.read_models import VIEWS
from infrastructure.views.replay_runs import replace_views
from tests.conftest import settings_for

ÅTVIDABERG, SÖDERHAMN = "0561", "2182"
KARIN = Actor("karin.berg", Role.CASEWORKER, ÅTVIDABERG)
REVISOR = Actor("revisor", Role.AUDITOR, "*")
BY = Provenance(KARIN, "test", "test")
ISSUES = VIEWS["issue"]
# Swedish letters, both cases, LIKE's wildcards and escape, FTS5's quote, and letters whose
# lower case is longer (İ) or differs by position (Σ).
LETTERS = "abfkrsåäöÅÄÖABKS %_\\\"'-/İẞΣς0"
positions = itertools.count(1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samverkan]:
    samverkan = bootstrap(settings_for("sqlite", tmp_path_factory.mktemp("search") / "var"))
    yield samverkan
    samverkan.close()


def issue(municipality: str, locality: str, title: str, description: str) -> Issue:
    return Issue.open(
        by=BY,
        parent_id=None,
        municipality=municipality,
        locality=locality,
        title=title,
        description=description,
        category="groceries",
        raised_by={"organisation": "Byalaget", "kind": "village_association"},
    )


def every_page(
    queries: RecordQueries, actor: Actor, filters: dict[str, Any], needle: str, limit: int
) -> list[str]:
    found, cursor = [], None
    while True:
        page = queries.page("issue", actor, dict(filters), limit, cursor, text=needle)
        found += [row["id"] for row in page.items]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


words = st.text(alphabet=LETTERS, max_size=12)
issues = st.lists(
    st.tuples(
        st.sampled_from([ÅTVIDABERG, SÖDERHAMN]),
        st.sampled_from(["Falerum", "Gårdby", "Ås", "ÅSBRO"]),
        words.map(lambda w: f"T{w}"),
        words,
    ),
    max_size=10,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(issues=issues, data=st.data())
def test_q_finds_exactly_the_issues_whose_search_text_holds_it(
    store: Samverkan, issues: list[tuple[str, str, str, str]], data: st.DataObject
) -> None:
    projector = Projector()
    with store.events.transaction() as session:
        session.execute(delete(ISSUES))  # through the delete trigger
        written = [issue(*fields) for fields in issues]
        for aggregate in written:
            projector.write_record(session, aggregate, next(positions))
        indexes = st.lists(st.sampled_from(range(len(written))), unique=True)
        edited = data.draw(indexes if written else st.just([]), "edited")
        for aggregate in (written[i] for i in edited):  # the update trigger: old out, new in
            aggregate.edit({"description": data.draw(words, "new description")}, BY)
            projector.write_record(session, aggregate, None)
        rows = {r["id"]: dict(r) for r in session.execute(ISSUES.select()).mappings()}
    texts = [r["search_text"] for r in rows.values()]
    inside = st.sampled_from(texts).flatmap(
        lambda t: st.tuples(st.integers(0, len(t)), st.integers(0, len(t))).map(
            lambda ij: t[min(ij) : max(ij)]
        )
    )
    needle = data.draw(st.one_of(inside, words) if texts else words, "q").upper()
    actor = data.draw(st.sampled_from([KARIN, REVISOR]), "actor")
    filters = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "municipality": st.sampled_from([ÅTVIDABERG, SÖDERHAMN]),
                "locality": st.sampled_from(["Falerum", "Ås"]),
            },
        ),
        "filters",
    )
    expected = [
        r["id"]
        for r in sorted(rows.values(), key=lambda r: -r["position"])
        if needle.lower() in r["search_text"]
        and (actor.is_national or r["municipality"] == actor.municipality)
        and all(r[name] == value for name, value in filters.items())
    ]
    queries = RecordQueries(store.events, store.policy)
    limit = data.draw(st.integers(1, 4), "limit")
    assert every_page(queries, actor, filters, needle, limit) == expected  # "" filters nothing


def test_a_text_shorter_than_a_trigram_is_found_by_a_scan_of_the_callers_issues(
    store: Samverkan,
) -> None:
    with store.events.transaction() as session:
        session.execute(delete(ISSUES))
        for fields in [
            (ÅTVIDABERG, "Ås", "Macken stänger", "Drivmedel saknas."),
            (ÅTVIDABERG, "Falerum", "Butiken", "Paketombud i Åsbro."),
            (SÖDERHAMN, "Ås", "Ombud", "Trönö byalag."),
        ]:
            Projector().write_record(session, issue(*fields), next(positions))
    queries = RecordQueries(store.events, store.policy)
    found = every_page(queries, KARIN, {}, "ÅS", 50)
    assert len(found) == 2  # Söderhamn's Ås is not Karin's
    assert every_page(queries, KARIN, {"locality": "Falerum"}, "ås", 50) == found[:1]


def open_issue(samverkan: Samverkan, title: str) -> Any:
    command = c.OpenIssue(
        municipality=ÅTVIDABERG,
        locality="Falerum",
        title=title,
        description="Byalaget oroar sig för dagligvarubutiken.",
        category="groceries",
        raised_by=c.RaisedBy(organisation="Falerums byalag", kind="village_association"),
    )
    return samverkan.bus.dispatch(command, CommandContext(actor=KARIN)).id


def edit_title(samverkan: Samverkan, issue_id: Any, title: str) -> None:
    samverkan.bus.dispatch(c.EditIssue(issue_id=issue_id, title=title), CommandContext(KARIN))


def search(samverkan: Samverkan, needle: str) -> list[str]:
    return every_page(RecordQueries(samverkan.events, samverkan.policy), KARIN, {}, needle, 50)


def test_the_index_follows_commands_and_replays_swap_of_the_view(tmp_path: Path) -> None:
    samverkan = bootstrap(settings_for("sqlite", tmp_path / "var"))
    try:
        issue_id = open_issue(samverkan, "Butiken i Falerum kan stänga")
        assert search(samverkan, "falerum kan") == [str(issue_id)]
        replace_views(samverkan.events)  # a new issue_view: the old one's triggers went with it
        assert search(samverkan, "falerum kan") == [str(issue_id)]
        edit_title(samverkan, issue_id, "Macken i Grebo")
        assert search(samverkan, "falerum kan") == []
        assert search(samverkan, "macken i gr") == [str(issue_id)]
    finally:
        samverkan.close()


def test_a_store_written_without_the_index_gets_it_filled_at_start_up(tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path / "var")
    first = bootstrap(settings)
    issue_id = open_issue(first, "Butiken i Falerum kan stänga")
    with first.events.transaction() as session:  # as an earlier release left its store
        session.execute(text(f"DROP TABLE {text_search.FTS}"))
        for trigger in ("insert", "delete", "update"):
            session.execute(text(f"DROP TRIGGER {text_search.FTS}_{trigger}"))
    first.close()

    second = bootstrap(settings)
    try:
        assert search(second, "falerum kan") == [str(issue_id)]
        edit_title(second, issue_id, "Macken i Grebo")
        assert search(second, "macken i gr") == [str(issue_id)]
    finally:
        second.close()


@pytest.mark.postgres
def test_a_q_search_on_postgresql_uses_the_trigram_index(tmp_path: Path) -> None:
    samverkan = bootstrap(settings_for("postgres", tmp_path / "var"))
    engine = samverkan.events.datastore.engine
    assert engine is not None
    try:
        template = issue(ÅTVIDABERG, "Falerum", "Butiken i Falerum", "Byalaget oroar sig.")
        rows = [
            {**record_row(template), "id": f"{n:036d}", "position": n, "title": f"Butik {n}"}
            for n in range(1, 3001)
        ]
        rows[1234]["search_text"] = "vindkraftsparken vid trönö"
        with samverkan.events.transaction() as session:
            session.execute(insert(ISSUES), rows)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # As autovacuum would: statistics, and GIN's pending list moved into the index.
            connection.exec_driver_sql(f"VACUUM ANALYZE {ISSUES.name}")
        statements: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if ISSUES.name in statement and "LIKE" in statement:
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            found = search(samverkan, "VINDKRAFTSPARK")
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        assert found == [f"{1235:036d}"]
        statement, parameters = statements[0]
        with engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
        assert any(text_search.PG_INDEX in line for line in plan), "\n".join(plan)
    finally:
        samverkan.close()
