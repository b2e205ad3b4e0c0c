"""The global log: a follower sees every event of its scope once, in increasing positions."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from application import commands as c
from domain.issue import Issue
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings
from infrastructure.store.unit_of_work import SqlStore
from infrastructure.views.audit import AuditQueries
from infrastructure.views.queries import InvalidCursorError
from tests.conftest import settings_for
from tests.integration.history import SÖDERHAMN, ÅTVIDABERG, as_caseworker, write_history

NATIONAL_AUDITOR = Actor("ulla.revisor", Role.AUDITOR, "*")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_for(str(request.param), tmp_path / "var")


@pytest.fixture
def store(settings: Settings) -> Iterator[Samverkan]:
    service = bootstrap(settings)
    yield service
    service.close()


def follow(audit: AuditQueries, actor: Actor, after: int = 0, limit: int = 3) -> list[int]:
    """Read the whole log page by page, as a client following `next_cursor` would."""
    page = audit.log(actor, after, limit, None)
    seen = [item["position"] for item in page.items]
    while page.next_cursor is not None:
        page = audit.log(actor, 0, limit, page.next_cursor)
        seen += [item["position"] for item in page.items]
    return seen


def test_a_follower_sees_every_event_once_in_increasing_positions(store: Samverkan) -> None:
    write_history(store)
    audit = AuditQueries(store.events, store.policy)
    seen = follow(audit, NATIONAL_AUDITOR)
    assert len(seen) == 10
    assert seen == sorted(set(seen))


def test_the_log_holds_only_the_callers_municipality(store: Samverkan) -> None:
    write_history(store)
    audit = AuditQueries(store.events, store.policy)
    local = audit.log(Actor("ulla.revisor", Role.AUDITOR, SÖDERHAMN), 0, 500, None).items
    assert [(i["aggregate_type"], i["type"]) for i in local] == [("issue", "Issue.Opened")]
    assert local[0]["data"]["locality"] == "Trönö"
    everything = follow(audit, NATIONAL_AUDITOR)
    mine = follow(audit, Actor("ulla.revisor", Role.AUDITOR, ÅTVIDABERG))
    assert sorted([*mine, local[0]["position"]]) == everything


def test_a_cursor_beats_after_and_the_end_of_the_log_has_no_cursor(store: Samverkan) -> None:
    write_history(store)
    audit = AuditQueries(store.events, store.policy)
    first = audit.log(NATIONAL_AUDITOR, 0, 4, None)
    assert first.next_cursor is not None
    second = audit.log(NATIONAL_AUDITOR, 0, 4, first.next_cursor)
    assert second.items[0]["position"] > first.items[-1]["position"]
    last = first.items[-1]["position"]
    rest = audit.log(NATIONAL_AUDITOR, last, 500, None)
    assert rest.next_cursor is None
    assert [i["position"] for i in rest.items][:4] == [i["position"] for i in second.items]
    with pytest.raises(InvalidCursorError):
        audit.log(NATIONAL_AUDITOR, 0, 4, "bm90LWEtY3Vyc29y")


def _open_falerum(by_user: str) -> c.OpenIssue:
    return c.OpenIssue(
        municipality=ÅTVIDABERG,
        locality="Falerum",
        title=f"Posten i Falerum ({by_user})",
        description="Paketutlämningen flyttar från byn.",
        category="parcel_pickup",
        raised_by=c.RaisedBy(organisation="Falerums byalag", kind="village_association"),
    )


def _waiting_for_event_lock(store: Samverkan) -> bool:
    with store.events.datastore.engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE NOT granted"
                " AND relation = 'samverkan_events'::regclass"
            )
        ).scalar_one()
    return bool(waiting)


@pytest.mark.postgres
def test_a_reader_never_passes_an_event_a_slower_writer_commits_late(tmp_path: Path) -> None:
    store = bootstrap(settings_for("postgres", tmp_path / "var"))
    try:
        write_history(store)
        audit = AuditQueries(store.events, store.policy)
        end = follow(audit, NATIONAL_AUDITOR)[-1]
        inserted, release = threading.Event(), threading.Event()
        results: dict[str, int] = {}

        def slow_writer() -> None:
            context = as_caseworker("anna.lind")
            with SqlStore(store.events).unit_of_work(context, None) as unit:
                issue = Issue.open(
                    by=context.provenance,
                    parent_id=None,
                    **_open_falerum("slow").model_dump(mode="json"),
                )
                results["slow"] = unit.save(issue).position
                inserted.set()
                release.wait(30)  # the transaction stays open, its event inserted, uncommitted

        def fast_writer() -> None:
            result = store.bus.dispatch(_open_falerum("fast"), as_caseworker("karin.berg"))
            results["fast"] = result.position

        slow = threading.Thread(target=slow_writer)
        slow.start()
        assert inserted.wait(30)
        fast = threading.Thread(target=fast_writer)
        fast.start()
        for _ in range(600):  # until the fast writer queues behind the slow one's table lock
            if _waiting_for_event_lock(store):
                break
            time.sleep(0.01)
        assert _waiting_for_event_lock(store)

        assert audit.log(NATIONAL_AUDITOR, end, 500, None).items == []

        release.set()
        slow.join(30)
        fast.join(30)
        after = audit.log(NATIONAL_AUDITOR, end, 500, None).items
        assert [i["position"] for i in after] == [results["slow"], results["fast"]]
        assert results["slow"] < results["fast"]
        assert [i["data"]["title"] for i in after] == [
            "Posten i Falerum (slow)",
            "Posten i Falerum (fast)",
        ]
    finally:
        store.close()
