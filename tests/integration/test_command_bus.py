"""The command bus, one behavioural suite over every backend: in memory, a SQLite file and
PostgreSQL (when SAMVERKAN_TEST_DATABASE_URL is set). Everything goes through `bus.dispatch`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import AggregateNotFoundError
from structlog.testing import capture_logs

from application import commands as c
from application.errors import (
    ForbiddenError,
    IdempotencyKeyReuseError,
    NotFoundError,
    PreconditionFailedError,
)
from application.ports import CommandContext, CommandResult
from domain.errors import CrossRecordError, RecordNotOpenError
from domain.issue import Issue
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views.queries import RecordQueries
from infrastructure.views.replay import decoded_log

ÅTVIDABERG, SÖDERHAMN = "0561", "2182"
TODAY = datetime.now(UTC).date()


def as_(
    user: str = "anna.lind",
    municipality: str = ÅTVIDABERG,
    role: Role = Role.CASEWORKER,
    **context: Any,
) -> CommandContext:
    return CommandContext(Actor(user, role, municipality), **context)


def open_issue(municipality: str = ÅTVIDABERG, **overrides: Any) -> c.OpenIssue:
    fields: dict[str, Any] = {
        "municipality": municipality,
        "locality": "Falerum" if municipality == ÅTVIDABERG else "Trönö",
        "title": "Butiken i Falerum kan stänga",
        "description": "Byalaget oroar sig för att dagligvarubutiken läggs ned.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        **overrides,
    }
    return c.OpenIssue(**fields)


def note(issue_id: UUID, text: str = "Möte med byalaget i bygdegården.") -> c.AddNote:
    return c.AddNote(issue_id=issue_id, kind="meeting", text=text, occurred_on=TODAY)


def form_task_force(issue_id: UUID) -> c.FormTaskForce:
    return c.FormTaskForce(
        issue_id=issue_id,
        name="Insatsstyrka Falerum",
        mandate="Ta fram ett förslag på servicepunkt tillsammans med byalaget.",
        due_on=TODAY + timedelta(days=60),
        lead={"display_name": "Karin Berg", "organisation": "Åtvidabergs kommun", "role": "lots"},
    )


def propose(issue_id: UUID, task_force_id: UUID | None = None) -> c.ProposeDecision:
    return c.ProposeDecision(
        issue_id=issue_id,
        title="Kommunal servicepunkt i Falerum",
        rationale="Butiken är den enda inom tre mil.",
        decision_body="Kommunstyrelsen",
        task_force_id=task_force_id,
    )


def record_outcome(issue_id: UUID, decision_ids: list[UUID]) -> c.RecordOutcome:
    return c.RecordOutcome(
        issue_id=issue_id,
        decision_ids=decision_ids,
        summary="Servicepunkten har öppnat.",
        indicators=[{"name": "kunder per vecka", "value": "412", "unit": "st"}],
        observed_on=TODAY,
    )


def stored(samverkan: Samverkan) -> list[Any]:
    """Every event in the store, decoded, in log order."""
    return [event for event, _ in decoded_log(samverkan.events)]


def events_of(samverkan: Samverkan, record_id: UUID) -> list[Any]:
    return list(samverkan.events.events.get(record_id))


def view(samverkan: Samverkan, record_id: UUID, kind: str = "issue") -> dict[str, Any]:
    """The record's read model, which is written in the command's own transaction."""
    queries = RecordQueries(samverkan.events, samverkan.policy)
    return queries.view(kind, Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG), record_id)


def refused(
    samverkan: Samverkan, error: type[Exception], command: c.Command, context: CommandContext
) -> None:
    """The command is refused with `error`, and the store holds exactly what it held before."""
    before = len(stored(samverkan))
    with pytest.raises(error):
        samverkan.bus.dispatch(command, context)
    assert len(stored(samverkan)) == before


@pytest.fixture
def dispatch(samverkan: Samverkan) -> Callable[..., CommandResult]:
    def send(command: c.Command, context: CommandContext | None = None) -> CommandResult:
        return samverkan.bus.dispatch(command, context or as_())

    return send


@pytest.fixture
def issue(dispatch: Callable[..., CommandResult]) -> UUID:
    return dispatch(open_issue()).id


# Idempotency


def test_a_repeated_key_returns_the_first_result_and_writes_nothing(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult]
) -> None:
    keyed = as_(idempotency_key="open-falerum-1")
    first = dispatch(open_issue(), keyed)
    count = len(stored(samverkan))
    again = dispatch(open_issue(), as_(idempotency_key="open-falerum-1"))
    assert again == first
    assert len(stored(samverkan)) == count == 1


def test_a_repeated_key_on_an_existing_record_changes_nothing(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    add = c.AddMember(
        task_force_id=dispatch(form_task_force(issue)).id,
        display_name="Lars Ek",
        organisation="Falerums byalag",
        role="ordförande",
    )
    first = dispatch(add, as_(idempotency_key="lars"))
    again = dispatch(add, as_(idempotency_key="lars"))
    assert again == first and first.member_id is not None
    assert len(events_of(samverkan, first.id)) == 2


def test_the_same_key_for_a_different_command_is_refused(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    dispatch(note(issue), as_(idempotency_key="k-17"))
    other = note(issue, "Ett annat samtal.")
    refused(samverkan, IdempotencyKeyReuseError, other, as_(idempotency_key="k-17"))
    refused(samverkan, IdempotencyKeyReuseError, open_issue(), as_(idempotency_key="k-17"))


def test_keys_are_per_user(samverkan: Samverkan, dispatch: Callable[..., CommandResult]) -> None:
    anna = dispatch(open_issue(), as_("anna.lind", idempotency_key="ny-fråga"))
    erik = dispatch(open_issue(title="Macken"), as_("erik.holm", idempotency_key="ny-fråga"))
    assert anna.id != erik.id
    assert len(stored(samverkan)) == 2


def test_a_repeat_returns_the_first_result_even_after_later_changes(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    first = dispatch(note(issue), as_(idempotency_key="samtal-1", expected_version=1))
    dispatch(note(issue, "Ett senare samtal."))
    again = dispatch(note(issue), as_(idempotency_key="samtal-1", expected_version=1))
    assert again == first and first.version == 2
    assert len(events_of(samverkan, issue)) == 3


def test_concurrent_repeats_of_one_keyed_command_record_it_once(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult]
) -> None:
    results: list[CommandResult] = []
    run_threads(lambda n: results.append(dispatch(open_issue(), as_(idempotency_key="k"))), 6)
    assert len(results) == 6 and len(set(results)) == 1
    assert len(stored(samverkan)) == 1


# Expected version (If-Match)


def test_the_expected_version_lets_a_current_command_through(
    dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    assert dispatch(note(issue), as_(expected_version=1)).version == 2
    assert dispatch(note(issue), as_(expected_version=2)).version == 3


@pytest.mark.parametrize("expected", [0, 2, 7])
def test_a_stale_expected_version_is_refused_and_writes_nothing(
    samverkan: Samverkan, issue: UUID, expected: int
) -> None:
    refused(samverkan, PreconditionFailedError, note(issue), as_(expected_version=expected))
    assert len(events_of(samverkan, issue)) == 1


def test_a_foreign_record_is_not_found_whatever_version_is_expected(
    samverkan: Samverkan, issue: UUID
) -> None:
    söderhamn = as_("lena.aberg", SÖDERHAMN, expected_version=7)
    refused(samverkan, NotFoundError, note(issue), söderhamn)


def test_a_split_checks_the_parents_version(samverkan: Samverkan, issue: UUID) -> None:
    split = c.SplitIssue(issue_id=issue, title="Drivmedel i Falerum", description="Macken.")
    refused(samverkan, PreconditionFailedError, split, as_(expected_version=2))
    assert samverkan.bus.dispatch(split, as_(expected_version=1)).version == 1


# Concurrency within one process


def test_concurrent_writers_on_one_issue_all_succeed(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    results: list[CommandResult] = []
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        for i in range(10):
            try:
                results.append(dispatch(note(issue, f"Skrivare {n}, samtal {i}.")))
            except BaseException as error:  # every failure is a finding
                failures.append(error)

    run_threads(writer, 8)
    assert failures == []
    assert sorted(r.version for r in results) == list(range(2, 82))
    assert [e.originator_version for e in events_of(samverkan, issue)] == list(range(1, 82))
    assert (view(samverkan, issue)["version"], len(view(samverkan, issue)["notes"])) == (81, 80)


def run_threads(target: Callable[[int], None], count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()


# The atomic split


def test_a_split_saves_parent_and_child_together(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    split = c.SplitIssue(issue_id=issue, title="Drivmedel i Falerum", description="Macken.")
    child = dispatch(split)
    parent_events, child_events = events_of(samverkan, issue), events_of(samverkan, child.id)
    assert [type(e) for e in parent_events] == [Issue.Opened, Issue.SubIssueSplitOff]
    assert [type(e) for e in child_events] == [Issue.Opened]
    assert child_events[0].parent_id == issue and parent_events[1].child_id == child.id
    assert child.version == 1
    parent = samverkan.events.repository.get(issue)
    assert parent.child_ids == [child.id]
    assert samverkan.events.repository.get(child.id).parent_id == issue
    assert view(samverkan, issue)["child_ids"] == [str(child.id)]
    assert view(samverkan, child.id)["parent_id"] == str(issue)


def test_a_failing_split_writes_neither_record(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    real = samverkan.bus.handlers[c.SplitIssue]
    children: list[UUID] = []

    def split_then_fail(cmd: c.SplitIssue, uow: Any) -> CommandResult:
        children.append(real(cmd, uow).id)  # parent and child saved in the transaction ...
        raise RuntimeError("the disk failed")  # ... which then fails before commit

    samverkan.bus.handlers = {**samverkan.bus.handlers, c.SplitIssue: split_then_fail}
    split = c.SplitIssue(issue_id=issue, title="Drivmedel i Falerum", description="Macken.")
    refused(samverkan, RuntimeError, split, as_())
    assert len(events_of(samverkan, issue)) == 1
    with pytest.raises(AggregateNotFoundError):
        samverkan.events.repository.get(children[0])
    assert samverkan.events.repository.get(issue).child_ids == []
    assert (view(samverkan, issue)["version"], view(samverkan, issue)["child_ids"]) == (1, [])
    with pytest.raises(NotFoundError):
        view(samverkan, children[0])


def test_a_split_of_a_closed_issue_writes_nothing(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    dispatch(c.CloseIssue(issue_id=issue, reason="Byalaget drog tillbaka frågan."))
    split = c.SplitIssue(issue_id=issue, title="Drivmedel", description="Macken.")
    refused(samverkan, RecordNotOpenError, split, as_())


# Tenancy and roles


def test_a_foreign_municipalitys_record_is_not_found(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    söderhamn = as_("lena.aberg", SÖDERHAMN)
    refused(samverkan, NotFoundError, note(issue), söderhamn)
    refused(samverkan, NotFoundError, form_task_force(issue), söderhamn)
    refused(samverkan, NotFoundError, propose(issue), söderhamn)


def test_an_unknown_record_is_not_found(samverkan: Samverkan) -> None:
    refused(samverkan, NotFoundError, note(uuid4()), as_())


def test_a_record_of_another_kind_is_not_found(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    task_force = dispatch(form_task_force(issue)).id
    refused(samverkan, NotFoundError, note(task_force), as_())


def test_a_body_municipality_other_than_the_callers_is_forbidden(samverkan: Samverkan) -> None:
    refused(samverkan, ForbiddenError, open_issue(SÖDERHAMN), as_())


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EVALUATOR])
@pytest.mark.parametrize("municipality", [ÅTVIDABERG, "*"])
def test_auditors_and_evaluators_cannot_dispatch(
    samverkan: Samverkan, issue: UUID, role: Role, municipality: str
) -> None:
    reader = as_("revisor.ek", municipality, role)
    refused(samverkan, ForbiddenError, open_issue(), reader)
    refused(samverkan, ForbiddenError, note(issue), reader)


def test_an_admin_may_dispatch(dispatch: Callable[..., CommandResult], issue: UUID) -> None:
    admin = as_("system.agare", ÅTVIDABERG, Role.ADMIN)
    assert dispatch(note(issue), admin).version == 2


# Rules across records


@pytest.mark.parametrize("finish", ["resolve", "close"])
def test_a_task_force_needs_an_open_issue(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID, finish: str
) -> None:
    if finish == "resolve":
        dispatch(c.ResolveIssue(issue_id=issue, summary="Servicepunkt inrättad."))
    else:
        dispatch(c.CloseIssue(issue_id=issue, reason="Frågan drogs tillbaka."))
    refused(samverkan, RecordNotOpenError, form_task_force(issue), as_())


def test_a_task_force_takes_its_issues_municipality(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult]
) -> None:
    trönö = as_("lena.aberg", SÖDERHAMN)
    issue = dispatch(open_issue(SÖDERHAMN), trönö).id
    task_force = dispatch(form_task_force(issue), trönö).id
    assert samverkan.events.repository.get(task_force).municipality == SÖDERHAMN


def test_a_decisions_task_force_works_on_the_same_issue(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    other_issue = dispatch(open_issue(title="Macken i Falerum")).id
    elsewhere = dispatch(form_task_force(other_issue)).id
    refused(samverkan, CrossRecordError, propose(issue, elsewhere), as_())
    own = dispatch(form_task_force(issue)).id
    dispatch(c.CompleteTaskForce(task_force_id=own, summary="Förslaget är klart."))
    assert dispatch(propose(issue, own)).version == 1  # in any status


def test_an_outcomes_decisions_belong_to_its_issue(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    own = dispatch(propose(issue)).id
    other_issue = dispatch(open_issue(title="Macken i Falerum")).id
    elsewhere = dispatch(propose(other_issue)).id
    refused(samverkan, CrossRecordError, record_outcome(issue, [own, elsewhere]), as_())
    refused(samverkan, NotFoundError, record_outcome(issue, [own, uuid4()]), as_())
    assert dispatch(record_outcome(issue, [own])).version == 1
    assert dispatch(record_outcome(issue, [])).version == 1


def test_an_outcome_naming_a_foreign_municipalitys_decision_is_not_found(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    trönö = as_("lena.aberg", SÖDERHAMN)
    foreign_issue = dispatch(open_issue(SÖDERHAMN), trönö).id
    foreign = dispatch(propose(foreign_issue), trönö).id
    refused(samverkan, NotFoundError, record_outcome(issue, [foreign]), as_())


def adopted(dispatch: Callable[..., CommandResult], issue: UUID) -> UUID:
    decision = dispatch(propose(issue)).id
    dispatch(c.AdoptDecision(decision_id=decision, decided_on=TODAY, reference="KS 2024/112"))
    return decision


def test_a_decision_is_superseded_by_an_adopted_decision_of_the_same_issue(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    old, new = adopted(dispatch, issue), adopted(dispatch, issue)
    proposed = dispatch(propose(issue)).id
    other_issue = dispatch(open_issue(title="Macken i Falerum")).id
    elsewhere = adopted(dispatch, other_issue)
    for by_decision in (proposed, elsewhere, old):
        supersede = c.SupersedeDecision(decision_id=old, by_decision_id=by_decision)
        refused(samverkan, CrossRecordError, supersede, as_())
    refused(
        samverkan,
        NotFoundError,
        c.SupersedeDecision(decision_id=old, by_decision_id=uuid4()),
        as_(),
    )
    assert dispatch(c.SupersedeDecision(decision_id=old, by_decision_id=new)).version == 3
    assert samverkan.events.repository.get(old).superseded_by == new


# History independence


def test_an_issue_with_a_long_history_loads_correctly(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    for i in range(125):
        dispatch(note(issue, f"Samtal nummer {i}."))
    dispatch(c.EditIssue(issue_id=issue, title="Butiken i Falerum stänger i juni"))
    assert dispatch(note(issue), as_(expected_version=127)).version == 128
    snapshots = [s.originator_version for s in samverkan.events.snapshots.get(issue)]
    assert snapshots == [50, 100]
    from_snapshot = samverkan.events.repository.get(issue, version=128)
    cached = samverkan.events.repository.get(issue)
    full_replay = replay(events_of(samverkan, issue))
    assert full_replay.version == cached.version == from_snapshot.version == 128
    assert vars(full_replay) == vars(cached) == vars(from_snapshot)
    assert cached.title == "Butiken i Falerum stänger i juni"


def test_task_forces_and_outcomes_rebuild_from_their_snapshots(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    task_force = dispatch(form_task_force(issue)).id
    outcome = dispatch(record_outcome(issue, [])).id
    for i in range(33):  # 1 + 33 + 16 = 50 events
        member = dispatch(
            c.AddMember(
                task_force_id=task_force,
                display_name=f"Medlem {i}",
                organisation="Byalaget",
                role="ledamot",
            )
        ).member_id
        if i % 2:
            dispatch(c.RemoveMember(task_force_id=task_force, member_id=member))
    for i in range(50):
        indicators = [{"name": "kunder per vecka", "value": f"{400 + i}.5", "unit": "st"}]
        correct = c.CorrectOutcome(outcome_id=outcome, indicators=indicators, reason="Ny rapport.")
        dispatch(correct, as_(f"granskare.{i % 2}"))
    for record_id in (task_force, outcome):
        (snapshot,) = samverkan.events.snapshots.get(record_id)
        assert snapshot.originator_version == 50
        full_replay = replay(events_of(samverkan, record_id))
        from_snapshot = samverkan.events.repository.get(record_id, version=full_replay.version)
        assert vars(from_snapshot) == vars(full_replay)
    assert len(samverkan.events.repository.get(task_force).members) == 18


def replay(events: list[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


# Logging


def test_each_command_logs_one_line_with_its_outcome(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    with capture_logs() as logs:
        result = dispatch(note(issue), as_(command_id="cmd-1"))
        with pytest.raises(NotFoundError):
            dispatch(note(uuid4()), as_(command_id="cmd-2"))
    ok, failed = (line for line in logs if line["event"] == "command")
    assert ok["command"] == "AddNote" and ok["outcome"] == "ok"
    assert (ok["record_id"], ok["version"], ok["command_id"]) == (str(issue), 2, "cmd-1")
    assert result.version == 2 and ok["ms"] >= 0
    assert (failed["outcome"], failed["command_id"]) == ("NotFoundError", "cmd-2")


# Provenance


def test_every_stored_event_carries_the_context(
    samverkan: Samverkan, dispatch: Callable[..., CommandResult], issue: UUID
) -> None:
    context = as_("erik.holm", command_id="cmd-0561-42", correlation_id="req-falerum-7")
    child = dispatch(
        c.SplitIssue(issue_id=issue, title="Drivmedel", description="Macken."), context
    )
    split, opened = events_of(samverkan, issue)[-1], events_of(samverkan, child.id)[0]
    for event in (split, opened):
        assert event.actor == {"user_id": "erik.holm", "role": "caseworker", "municipality": "0561"}
        assert (event.command_id, event.correlation_id) == ("cmd-0561-42", "req-falerum-7")
    for event in stored(samverkan):
        assert set(event.actor) == {"user_id", "role", "municipality"}
        assert event.command_id and event.correlation_id
