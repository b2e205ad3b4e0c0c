"""On every event (domain.md): the aggregate's id, its version, a UTC timestamp, the actor,
the command id and the correlation id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.base import CaseAggregate
from domain.values import Actor, Provenance, Role
from tests.unit.builders import (
    TODAY,
    a_decision,
    a_task_force,
    an_adopted_decision,
    an_issue,
    an_outcome,
    customers,
    days,
    saved,
)

SARA = Provenance(
    Actor("sara.nyberg", Role.ADMIN, "0561"),
    command_id="6f1d7c2e-3b1a-4c39-9f4e-2d7b1c0a9e11",
    correlation_id="req-8e2f4a",
)

Act = Callable[[Provenance], Aggregate]


def _issue(act: Callable[[Any, Provenance], object], closed: bool = False) -> Act:
    def run(p: Provenance) -> Aggregate:
        issue = an_issue()
        if closed:
            issue.close("Tillbakadraget.", SARA)
        saved(issue)
        act(issue, p)
        return issue

    return run


def _task_force(act: Callable[[Any, Provenance], object]) -> Act:
    def run(p: Provenance) -> Aggregate:
        task_force = a_task_force()
        task_force.add_member("Lars Ek", "Falerums byalag", "ordförande", SARA)
        saved(task_force)
        act(task_force, p)
        return task_force

    return run


def _decision(act: Callable[[Any, Provenance], object], adopted: bool = False) -> Act:
    def run(p: Provenance) -> Aggregate:
        decision = saved(an_adopted_decision() if adopted else a_decision())
        act(decision, p)
        return decision

    return run


def _outcome(act: Callable[[Any, Provenance], object]) -> Act:
    def run(p: Provenance) -> Aggregate:
        outcome = saved(an_outcome())
        act(outcome, p)
        return outcome

    return run


def not_lead(task_force: Any) -> str:
    return next(member for member in task_force.members if member != task_force.lead)


COMMANDS: dict[str, Act] = {
    "open issue": lambda p: an_issue(provenance=p),
    "edit": _issue(lambda i, p: i.edit({"title": "Ny"}, p)),
    "assign": _issue(lambda i, p: i.assign_responsibility("Enheten", "bygdelots", None, p)),
    "note": _issue(lambda i, p: i.add_note("phone", "Samtal.", TODAY, False, p)),
    "resolve": _issue(lambda i, p: i.resolve("Löst.", p)),
    "close": _issue(lambda i, p: i.close("Tillbakadraget.", p)),
    "reopen": _issue(lambda i, p: i.reopen("Igen.", p), closed=True),
    "form": lambda p: a_task_force(by=p),
    "add member": _task_force(lambda t, p: t.add_member("Maria Sund", "ICA", "handlare", p)),
    "remove member": _task_force(lambda t, p: t.remove_member(not_lead(t), p)),
    "hand over": _task_force(lambda t, p: t.hand_over_lead(not_lead(t), "Kontakter.", p)),
    "extend": _task_force(lambda t, p: t.extend_mandate(days(90), "Mer tid.", p)),
    "progress": _task_force(lambda t, p: t.report_progress("Två svar.", p)),
    "complete": _task_force(lambda t, p: t.complete("Klart.", p)),
    "disband": _task_force(lambda t, p: t.disband("Avbrutet.", p)),
    "propose": lambda p: a_decision(by=p),
    "adopt": _decision(lambda d, p: d.adopt(TODAY, "KS 2024/1", p)),
    "reject": _decision(lambda d, p: d.reject("Nej.", p)),
    "revoke": _decision(lambda d, p: d.revoke("Upphävt.", p), adopted=True),
    "supersede": _decision(
        lambda d, p: d.supersede(an_adopted_decision(d.issue_id), p),
        adopted=True,
    ),
    "record": lambda p: an_outcome(by=p),
    "verify": _outcome(lambda o, p: o.verify(None, p)),
    "correct": _outcome(lambda o, p: o.correct(None, [customers("1")], "Fel.", p)),
    "retract": _outcome(lambda o, p: o.retract("Dubblett.", p)),
}

OPENING = {"open issue", "form", "propose", "record"}


def assert_carries_provenance(event: CaseAggregate.Event, aggregate: Aggregate) -> None:
    assert event.actor == {"user_id": "sara.nyberg", "role": "admin", "municipality": "0561"}
    assert (event.command_id, event.correlation_id) == (SARA.command_id, SARA.correlation_id)
    assert event.originator_id == aggregate.id
    assert event.timestamp.utcoffset() == timedelta(0)


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - OPENING))
def test_every_event_carries_actor_command_and_correlation(command: str) -> None:
    aggregate = COMMANDS[command](SARA)
    before = aggregate.version - 1
    (event,) = aggregate.collect_events()
    assert isinstance(event, CaseAggregate.Event)
    assert_carries_provenance(event, aggregate)
    assert event.originator_version == before + 1 == aggregate.version
    assert aggregate.modified_on == event.timestamp


@pytest.mark.parametrize("command", sorted(OPENING))
def test_every_first_event_carries_actor_command_and_correlation(command: str) -> None:
    aggregate = COMMANDS[command](SARA)
    (event,) = aggregate.collect_events()
    assert isinstance(event, CaseAggregate.Created)
    assert_carries_provenance(event, aggregate)
    assert event.originator_version == 1
    assert aggregate.created_on.tzinfo is not None
    assert aggregate.created_on.astimezone(UTC) == event.timestamp


def test_a_split_stamps_both_events_with_the_same_command() -> None:
    parent = saved(an_issue())
    child = parent.split_off("Drivmedel i Falerum", "Macken.", None, SARA)
    (split,) = parent.collect_events()
    (opened,) = child.collect_events()
    assert_carries_provenance(split, parent)
    assert_carries_provenance(opened, child)
