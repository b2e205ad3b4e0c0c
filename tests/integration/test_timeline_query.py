"""The timeline query over every backend: order, filters, scope, privacy and keyset chunks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application import commands as c
from application.errors import ForbiddenError, NotFoundError
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views import timeline as timeline_module
from infrastructure.views.timeline import ENTRY_FIELDS, Timeline, TimelineFilter, TimelineQueries

ÅTVIDABERG, SÖDERHAMN = "0561", "2182"
TODAY = datetime.now(UTC).date()
ANNA = Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG)
OLLE = Actor("olle.ek", Role.CASEWORKER, SÖDERHAMN)
EVALUATOR = Actor("forskare.1", Role.EVALUATOR, "*")
AUDITOR = Actor("revisor.1", Role.AUDITOR, "*")


@dataclass
class Programme:
    falerum: UUID
    child: UUID
    grandchild: UUID
    other: UUID
    trönö: UUID
    task_force: UUID
    decision: UUID


def run(samverkan: Samverkan, command: c.Command, actor: Actor = ANNA) -> UUID:
    return samverkan.bus.dispatch(command, CommandContext(actor=actor)).id


def open_issue(samverkan: Samverkan, actor: Actor = ANNA, **fields: Any) -> UUID:
    body = {
        "municipality": actor.municipality,
        "locality": "Falerum",
        "title": "Butiken i Falerum kan stänga",
        "description": "Byalaget oroar sig för dagligvarubutiken.",
        "category": "groceries",
        "raised_by": c.RaisedBy(organisation="Falerums byalag", kind="village_association"),
        **fields,
    }
    return run(samverkan, c.OpenIssue(**body), actor)


def note(samverkan: Samverkan, issue: UUID, text: str, on: date, public: bool) -> None:
    command = c.AddNote(issue_id=issue, kind="meeting", text=text, occurred_on=on, public=public)
    run(samverkan, command)


@pytest.fixture
def programme(samverkan: Samverkan) -> Programme:
    falerum = open_issue(samverkan)
    child = run(
        samverkan, c.SplitIssue(issue_id=falerum, title="Paketutlämning", description="Ombud")
    )
    grandchild = run(
        samverkan, c.SplitIssue(issue_id=child, title="Öppettider", description="Kvällar")
    )
    other = open_issue(samverkan, locality="Grebo", title="Drivmedel i Grebo", category="fuel")
    trönö = open_issue(samverkan, OLLE, locality="Trönö", title="Servicepunkt i Trönö")
    note(samverkan, falerum, "Möte med byalaget i Falerum", date(2025, 3, 4), public=True)
    note(samverkan, falerum, "Känsligt samtal med butiksägaren", date(2025, 3, 5), public=False)
    note(samverkan, grandchild, "Samtal om öppettider", date(2025, 4, 1), public=True)
    lead = c.Person(display_name="Karin Berg", organisation="Åtvidabergs kommun", role="lots")
    task_force = run(
        samverkan,
        c.FormTaskForce(
            issue_id=falerum,
            name="Insatsstyrka Falerum",
            mandate="Ta fram en servicepunkt.",
            due_on=TODAY + timedelta(days=60),
            lead=lead,
        ),
    )
    decision = run(
        samverkan,
        c.ProposeDecision(
            issue_id=falerum, title="Servicepunkt i Falerum", rationale="Behov", decision_body="KS"
        ),
    )
    run(samverkan, c.AdoptDecision(decision_id=decision, decided_on=date(2025, 6, 10)))
    return Programme(falerum, child, grandchild, other, trönö, task_force, decision)


def entries(samverkan: Samverkan, actor: Actor, **wanted: Any) -> list[Any]:
    opened = TimelineQueries(samverkan.events, samverkan.policy).open(
        actor, TimelineFilter(**wanted)
    )
    return list(opened.entries())


def test_entries_are_sorted_by_date_with_exactly_the_contract_fields(
    samverkan: Samverkan, programme: Programme
) -> None:
    rows = entries(samverkan, ANNA)
    assert [(r.date, r.position) for r in rows] == sorted((r.date, r.position) for r in rows)
    assert list(rows[0].entry()) == list(ENTRY_FIELDS)
    first = rows[0].entry()
    assert (first["date"], first["kind"], first["locality"]) == (
        date(2025, 3, 4),
        "dialogue_noted",
        "Falerum",
    )
    due = [r for r in rows if r.kind == "task_force_due"]
    assert [(r.date, r.actor_role) for r in due] == [(TODAY + timedelta(days=60), None)]
    adopted = next(r for r in rows if r.kind == "decision_adopted")
    assert adopted.date == date(2025, 6, 10)


def test_an_issue_filter_includes_sub_issues_at_any_depth_and_nothing_else(
    samverkan: Samverkan, programme: Programme
) -> None:
    rows = entries(samverkan, ANNA, issue_id=programme.falerum)
    issues = {r.issue_id for r in rows}
    tree = {str(programme.falerum), str(programme.child), str(programme.grandchild)}
    assert issues == tree
    only_child = entries(samverkan, ANNA, issue_id=programme.child)
    assert {r.issue_id for r in only_child} == {str(programme.child), str(programme.grandchild)}


def test_category_and_inclusive_date_range_narrow_the_timeline(
    samverkan: Samverkan, programme: Programme
) -> None:
    fuel = entries(samverkan, ANNA, category="fuel")
    assert {r.issue_id for r in fuel} == {str(programme.other)}
    march = entries(samverkan, ANNA, date_from=date(2025, 3, 4), date_to=date(2025, 4, 1))
    assert [(r.kind, r.date) for r in march] == [
        ("dialogue_noted", date(2025, 3, 4)),
        ("dialogue_noted", date(2025, 3, 5)),
        ("dialogue_noted", date(2025, 4, 1)),
    ]


def test_a_caseworker_sees_only_their_municipality_and_a_national_reader_all(
    samverkan: Samverkan, programme: Programme
) -> None:
    assert {r.municipality for r in entries(samverkan, OLLE)} == {SÖDERHAMN}
    assert {r.municipality for r in entries(samverkan, AUDITOR)} == {ÅTVIDABERG, SÖDERHAMN}
    assert entries(samverkan, OLLE, municipality=ÅTVIDABERG) == []
    only = entries(samverkan, AUDITOR, municipality=SÖDERHAMN)
    assert {r.locality for r in only} == {"Trönö"}


def test_evaluators_never_get_non_public_notes(samverkan: Samverkan, programme: Programme) -> None:
    def notes(actor: Actor) -> list[date]:
        return [r.date for r in entries(samverkan, actor) if r.kind == "dialogue_noted"]

    assert notes(AUDITOR) == [date(2025, 3, 4), date(2025, 3, 5), date(2025, 4, 1)]
    assert notes(EVALUATOR) == [date(2025, 3, 4), date(2025, 4, 1)]


def test_a_foreign_or_unknown_issue_is_not_found(
    samverkan: Samverkan, programme: Programme
) -> None:
    with pytest.raises(NotFoundError):
        entries(samverkan, OLLE, issue_id=programme.falerum)
    with pytest.raises(NotFoundError):
        entries(samverkan, AUDITOR, issue_id=uuid4())


def test_national_scope_is_refused_to_caseworkers(samverkan: Samverkan) -> None:
    with pytest.raises(ForbiddenError):
        entries(samverkan, Actor("anna.lind", Role.CASEWORKER, "*"))


def test_small_keyset_chunks_give_every_entry_once_in_the_same_order(
    samverkan: Samverkan, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = entries(samverkan, AUDITOR)
    monkeypatch.setattr(timeline_module, "CHUNK", 2)
    counted: list[int] = []
    opened = TimelineQueries(samverkan.events, samverkan.policy).open(AUDITOR, TimelineFilter())
    opened.on_chunk = counted.append
    chunked = list(opened.entries())
    assert chunked == whole
    assert max(counted) == 2 and sum(counted) == len(whole)
    assert [i.id for i in opened.issues()] == [
        str(i)
        for i in (
            programme.falerum,
            programme.child,
            programme.grandchild,
            programme.other,
            programme.trönö,
        )
    ]


def test_the_summary_and_task_force_spans_describe_the_export(
    samverkan: Samverkan, programme: Programme
) -> None:
    opened: Timeline = TimelineQueries(samverkan.events, samverkan.policy).open(
        ANNA, TimelineFilter(issue_id=programme.falerum)
    )
    summary = opened.summary()
    assert summary.count == len(list(opened.entries()))
    assert (summary.first, summary.last) == (date(2025, 3, 4), TODAY + timedelta(days=60))
    [span] = opened.task_forces(str(programme.falerum))
    assert (span.name, span.status, span.ended_on) == ("Insatsstyrka Falerum", "active", None)
    assert list(span.members.values()) == ["Karin Berg"]


def test_issue_headings_name_their_parent(samverkan: Samverkan, programme: Programme) -> None:
    opened = TimelineQueries(samverkan.events, samverkan.policy).open(
        ANNA, TimelineFilter(issue_id=programme.falerum)
    )
    parents = [(h.title, h.parent_title) for h in opened.issues()]
    assert parents == [
        ("Butiken i Falerum kan stänga", None),
        ("Paketutlämning", "Butiken i Falerum kan stänga"),
        ("Öppettider", "Paketutlämning"),
    ]
