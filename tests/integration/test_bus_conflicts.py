"""Write conflicts between processes: two independent services (each with its own event store,
cache and locks) on one SQLite file or one PostgreSQL database. Conflicts are retried, so no
command fails and none is lost or applied twice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application import commands as c
from application.errors import ConflictError
from application.handlers import COMMAND_HANDLERS
from application.ports import CommandResult, UnitOfWork
from domain.issue import Issue
from infrastructure.bootstrap import Samverkan, bootstrap
from tests.conftest import settings_for
from tests.integration.test_command_bus import as_, events_of, note, open_issue, stored

SHARED_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=SHARED_BACKENDS)
def two_services(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Samverkan, Samverkan]]:
    settings = settings_for(str(request.param), tmp_path / "var")
    first, second = bootstrap(settings), bootstrap(settings)
    yield first, second
    first.close()
    second.close()


# On SQLite a writer takes the database's write lock when its transaction begins (BEGIN
# IMMEDIATE), so another process cannot commit between its read and its write: it waits.
# Those interleavings, and the retries they need, exist on PostgreSQL only.
@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def interleaving_services(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Samverkan, Samverkan]]:
    settings = settings_for(str(request.param), tmp_path / "var")
    first, second = bootstrap(settings), bootstrap(settings)
    yield first, second
    first.close()
    second.close()


def test_on_sqlite_another_process_waits_for_the_writer_instead_of_conflicting(
    tmp_path: Path,
) -> None:
    settings = settings_for("sqlite", tmp_path / "var")
    first, second = bootstrap(settings), bootstrap(settings)
    try:
        issue = first.bus.dispatch(open_issue(), as_()).id
        theirs: list[CommandResult] = []
        attempts: list[int] = []

        def waiting(cmd: c.AddNote, uow: UnitOfWork) -> CommandResult:
            attempts.append(1)
            writer = threading.Thread(
                target=lambda: theirs.append(second.bus.dispatch(note(issue, "Två."), as_()))
            )
            writer.start()
            writer.join(timeout=0.5)  # still waiting for our write lock
            assert not theirs
            result = add_note(cmd, uow, lambda: None)
            return result

        first.bus.handlers = {**first.bus.handlers, c.AddNote: waiting}
        ours = first.bus.dispatch(note(issue, "Ett."), as_())
        for _ in range(100):
            if theirs:
                break
            threading.Event().wait(0.1)
        assert attempts == [1]  # no conflict, no retry
        assert (ours.version, theirs[0].version) == (2, 3)
        assert [e.text for e in events_of(second, issue)[1:]] == ["Ett.", "Två."]
    finally:
        first.close()
        second.close()


def in_another_thread(work: Callable[[], Any]) -> Any:
    """Run `work` outside this thread's transaction, as another process would, and wait."""
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(work()))
    thread.start()
    thread.join(timeout=60)
    assert outcome, "the other service did not finish"
    return outcome[0]


def interleave_once(
    service: Samverkan, command: type[c.Command], act: Handler, interloper: Callable[[], Any]
) -> list[int]:
    """On the first attempt, `act` loads its record, then `interloper` commits a write to it
    from the other service, then `act` saves on the stale version and conflicts."""
    attempts: list[int] = []

    def racing(cmd: Any, uow: UnitOfWork) -> CommandResult:
        attempts.append(len(attempts) + 1)
        interrupt = (lambda: in_another_thread(interloper)) if len(attempts) == 1 else None
        return act(cmd, uow, interrupt or (lambda: None))

    service.bus.handlers = {**service.bus.handlers, command: racing}
    return attempts


Handler = Callable[[Any, UnitOfWork, Callable[[], Any]], CommandResult]


def add_note(cmd: c.AddNote, uow: UnitOfWork, interrupt: Callable[[], Any]) -> CommandResult:
    issue = uow.get(cmd.issue_id, Issue)
    interrupt()
    issue.add_note(cmd.kind, cmd.text, cmd.occurred_on, cmd.public, uow.by)
    return uow.save(issue)


def split_issue(cmd: c.SplitIssue, uow: UnitOfWork, interrupt: Callable[[], Any]) -> CommandResult:
    parent = uow.get(cmd.issue_id, Issue)
    interrupt()
    child = parent.split_off(cmd.title, cmd.description, cmd.category, uow.by)
    return uow.save(child, parent)


def open_issue_(cmd: c.OpenIssue, uow: UnitOfWork, interrupt: Callable[[], Any]) -> CommandResult:
    interrupt()
    return COMMAND_HANDLERS[c.OpenIssue](cmd, uow)


def test_a_write_conflict_with_another_process_is_retried(
    interleaving_services: tuple[Samverkan, Samverkan],
) -> None:
    first, second = interleaving_services
    issue = first.bus.dispatch(open_issue(), as_()).id
    attempts = interleave_once(
        first,
        c.AddNote,
        add_note,
        lambda: second.bus.dispatch(note(issue, "Från process två."), as_()),
    )
    result = first.bus.dispatch(note(issue, "Från process ett."), as_())
    assert attempts == [1, 2]  # the first attempt conflicted and was run again
    assert result.version == 3
    texts = [e.text for e in events_of(first, issue)[1:]]
    assert texts == ["Från process två.", "Från process ett."]


def test_conflicts_past_the_retry_budget_are_an_error_and_write_nothing(
    interleaving_services: tuple[Samverkan, Samverkan],
) -> None:
    first, second = interleaving_services
    issue = first.bus.dispatch(open_issue(), as_()).id
    first.bus.retry_budget_seconds = 0.3
    interloper = lambda: second.bus.dispatch(note(issue, "Från process två."), as_())  # noqa: E731

    attempts: list[int] = []

    def always_beaten(cmd: c.AddNote, uow: UnitOfWork) -> CommandResult:
        attempts.append(1)
        return add_note(cmd, uow, lambda: in_another_thread(interloper))

    first.bus.handlers = {**first.bus.handlers, c.AddNote: always_beaten}
    with pytest.raises(ConflictError):
        first.bus.dispatch(note(issue, "Från process ett."), as_())
    notes = [e.text for e in events_of(second, issue)[1:]]
    assert notes == ["Från process två."] * len(attempts)  # every attempt lost; none half-won


def test_a_conflicting_split_leaves_no_orphan_child(
    interleaving_services: tuple[Samverkan, Samverkan],
) -> None:
    first, second = interleaving_services
    issue = first.bus.dispatch(open_issue(), as_()).id
    interleave_once(
        first, c.SplitIssue, split_issue, lambda: second.bus.dispatch(note(issue), as_())
    )
    split = c.SplitIssue(issue_id=issue, title="Drivmedel i Falerum", description="Macken.")
    child = first.bus.dispatch(split, as_())
    children = [e for e in stored(second) if isinstance(e, Issue.Opened) and e.parent_id]
    assert [e.originator_id for e in children] == [child.id]  # the failed try's child is gone
    assert second.events.repository.get(issue).child_ids == [child.id]


def test_the_same_key_from_two_processes_records_the_command_once(
    interleaving_services: tuple[Samverkan, Samverkan],
) -> None:
    first, second = interleaving_services
    keyed = as_(idempotency_key="open-falerum-1")
    theirs: list[CommandResult] = []
    interleave_once(
        first,
        c.OpenIssue,
        open_issue_,
        lambda: theirs.append(second.bus.dispatch(open_issue(), keyed)),
    )
    ours = first.bus.dispatch(open_issue(), keyed)
    assert ours == theirs[0]
    assert len(stored(first)) == 1


def test_concurrent_writers_in_two_processes_all_succeed(
    two_services: tuple[Samverkan, Samverkan],
) -> None:
    first, second = two_services
    issue = first.bus.dispatch(open_issue(), as_()).id
    results: list[CommandResult] = []
    failures: list[BaseException] = []

    def writer(service: Samverkan, name: str) -> None:
        for i in range(10):
            try:
                results.append(service.bus.dispatch(note(issue, f"{name}: samtal {i}."), as_()))
            except BaseException as error:  # every failure is a finding
                failures.append(error)

    threads = [
        threading.Thread(target=writer, args=(service, f"{n}"))
        for n, service in enumerate([first, second] * 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(r.version for r in results) == list(range(2, 82))
    assert [e.originator_version for e in events_of(second, issue)] == list(range(1, 82))
    assert len({e.text for e in events_of(first, issue)[1:]}) == 80


def test_each_process_sees_the_others_writes(two_services: tuple[Samverkan, Samverkan]) -> None:
    first, second = two_services
    issue: UUID = first.bus.dispatch(open_issue(), as_()).id
    for turn in range(6):
        service = (first, second)[turn % 2]
        assert service.bus.dispatch(note(issue), as_()).version == turn + 2
