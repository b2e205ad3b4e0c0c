"""Group commit: commands that run concurrently share one transaction and one COMMIT.

Each test holds the first command of a batch inside its handler until the others have queued
behind it, so they join its batch for certain; then it checks what each caller was told against
what is on disk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import eventsourcing.persistence as es
import pytest
import sqlalchemy.exc as sa
from sqlalchemy import event, select

from application import commands as c
from application.errors import NotFoundError, PreconditionFailedError, StoreUnavailableError
from application.ports import CommandContext, CommandResult, UnitOfWork
from domain.errors import RecordNotOpenError
from infrastructure.bootstrap import Samverkan
from infrastructure.store.group_commit import Deferred, deferred_writes, pipelined
from infrastructure.store.integrity import chain_link
from infrastructure.store.keys import chain_key
from infrastructure.store.unit_of_work import SqlStore
from infrastructure.views.audit import AuditQueries
from infrastructure.views.read_models import VIEWS
from infrastructure.views.replay import decoded_log
from infrastructure.views.replay_runs import check_views
from tests.integration.test_command_bus import (
    ÅTVIDABERG,
    as_,
    events_of,
    form_task_force,
    note,
    open_issue,
)

Dispatch = tuple[c.Command, CommandContext]


def committer(samverkan: Samverkan) -> Any:
    store = samverkan.bus.store
    assert isinstance(store, SqlStore)
    return store.committer


@pytest.fixture
def commits(samverkan: Samverkan) -> Iterator[list[int]]:
    """Every COMMIT the store's engine sends, counted while a test runs."""
    sent: list[int] = []
    engine = samverkan.events.datastore.engine
    listener = lambda _connection: sent.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    yield sent
    event.remove(engine, "commit", listener)


def hold_first(
    samverkan: Samverkan, command: type[c.Command], others: int, gone: Callable[[], int]
) -> threading.Event:
    """The first `command` waits in its handler, holding the batch open, until `others`
    commands queue behind it (or `gone()` of them ended without reaching the store).
    Returns an event set once it is inside its handler."""
    inside = threading.Event()
    real = samverkan.bus.handlers[command]
    queue = committer(samverkan)
    queue.max_seconds = 60  # the held batch must not close for its age while the others queue

    def held(cmd: Any, uow: UnitOfWork) -> CommandResult:
        if not inside.is_set():
            inside.set()
            deadline = time.monotonic() + 20
            while queue.waiting + gone() < others and time.monotonic() < deadline:
                time.sleep(0.001)
            assert queue.waiting + gone() >= others, "the other commands never reached the batch"
        return real(cmd, uow)

    samverkan.bus.handlers = {**samverkan.bus.handlers, command: held}
    return inside


def in_one_batch(
    samverkan: Samverkan, first: Dispatch, rest: list[Dispatch]
) -> list[CommandResult | BaseException]:
    """Dispatch `first` (held by `hold_first`), then `rest` concurrently; each one's outcome."""
    outcomes: list[CommandResult | BaseException | None] = [None] * (1 + len(rest))
    finished = lambda: sum(o is not None for o in outcomes)  # noqa: E731
    inside = hold_first(samverkan, type(first[0]), len(rest), finished)

    def run(index: int, command: c.Command, context: CommandContext) -> None:
        try:
            outcomes[index] = samverkan.bus.dispatch(command, context)
        except BaseException as error:  # the outcome under test
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(0, *first))]
    threads[0].start()
    assert inside.wait(20)
    for index, (command, context) in enumerate(rest, start=1):
        threads.append(threading.Thread(target=run, args=(index, command, context)))
        threads[-1].start()
    for thread in threads:
        thread.join(60)
    assert all(outcome is not None for outcome in outcomes), "a command never finished"
    return outcomes  # type: ignore[return-value]


def opened(samverkan: Samverkan, count: int) -> list[UUID]:
    """`count` new issues on distinct record-lock stripes: two records on one stripe would
    queue behind each other in the bus, before ever reaching the batch."""
    stripes = len(samverkan.bus.locks._locks)
    issues: dict[int, UUID] = {}
    while len(issues) < count:
        issue = samverkan.bus.dispatch(open_issue(), as_()).id
        issues.setdefault(issue.int % stripes, issue)
    return list(issues.values())


def nowhere(samverkan: Samverkan, *issues: UUID) -> UUID:
    """An issue id that names nothing, on a record-lock stripe none of `issues` uses."""
    stripes = len(samverkan.bus.locks._locks)
    taken = {issue.int % stripes for issue in issues}
    return next(UUID(int=n) for n in range(1, stripes) if n not in taken)


def chain_is_intact(samverkan: Samverkan) -> bool:
    audit = AuditQueries(samverkan.events, samverkan.policy)
    return audit.verify(chain_key(samverkan.settings.var_dir)).intact


def tracked_position(samverkan: Samverkan) -> int:
    tracking = VIEWS["tracking"]
    with samverkan.events.transaction() as session:
        return int(
            session.execute(
                select(tracking.c.position).where(tracking.c.name == "views")
            ).scalar_one()
        )


def last_position(samverkan: Samverkan) -> int:
    return max(p for _, p in _log(samverkan))


def _log(samverkan: Samverkan) -> list[tuple[Any, int]]:
    return list(decoded_log(samverkan.events))


def test_concurrent_commands_share_one_commit(samverkan: Samverkan, commits: list[int]) -> None:
    issues = opened(samverkan, 6)
    commits.clear()

    outcomes = in_one_batch(
        samverkan,
        (note(issues[0]), as_()),
        [(note(issue), as_()) for issue in issues[1:]] + [(open_issue(), as_())],
    )

    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    assert len(commits) == 1
    for issue in issues:
        assert [e.originator_version for e in events_of(samverkan, issue)] == [1, 2]
    assert chain_is_intact(samverkan)
    assert tracked_position(samverkan) == last_position(samverkan)


def test_a_refused_command_does_not_affect_the_others_in_its_batch(
    samverkan: Samverkan, commits: list[int]
) -> None:
    falerum, gardby, closed = opened(samverkan, 3)
    samverkan.bus.dispatch(c.CloseIssue(issue_id=closed, reason="Butiken räddades."), as_())
    commits.clear()

    outcomes = in_one_batch(
        samverkan,
        (note(falerum), as_()),
        [
            (form_task_force(closed), as_()),
            (note(gardby), as_(expected_version=7)),
            (note(nowhere(samverkan, falerum, gardby)), as_()),
            (form_task_force(gardby), as_()),
        ],
    )

    ok, not_open, stale, missing, formed = outcomes
    assert isinstance(ok, CommandResult) and isinstance(formed, CommandResult)
    assert isinstance(not_open, RecordNotOpenError)
    assert isinstance(stale, PreconditionFailedError)
    assert isinstance(missing, NotFoundError)
    assert len(commits) == 1
    assert len(events_of(samverkan, falerum)) == 2
    assert len(events_of(samverkan, gardby)) == 1
    assert len(events_of(samverkan, formed.id)) == 1
    assert chain_is_intact(samverkan)


def fail_once_after_writing(samverkan: Samverkan, command: type[c.Command]) -> list[int]:
    """The command's first attempt writes, then fails as a lost race would; later ones pass."""
    attempts: list[int] = []
    real = samverkan.bus.handlers[command]

    def failing(cmd: Any, uow: UnitOfWork) -> CommandResult:
        attempts.append(1)
        result = real(cmd, uow)
        if len(attempts) == 1:
            raise es.IntegrityError("another writer got there first")
        return result

    samverkan.bus.handlers = {**samverkan.bus.handlers, command: failing}
    return attempts


def test_a_poisoned_batch_is_retried_and_every_member_succeeds(samverkan: Samverkan) -> None:
    falerum, gardby, tronö = opened(samverkan, 3)
    attempts = fail_once_after_writing(samverkan, c.FormTaskForce)

    # The note on Falerum is written first; the task force then reads Falerum from the
    # uncommitted batch, and fails, so the whole batch (the note included) rolls back.
    outcomes = in_one_batch(
        samverkan,
        (note(falerum), as_()),
        [(form_task_force(falerum), as_())],
    )
    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    assert len(attempts) == 2

    # The rolled-back note left nothing behind, in the store or in the aggregate cache.
    after = samverkan.bus.dispatch(note(falerum, "Andra mötet i bygdegården."), as_())
    assert after.version == 3
    assert [e.originator_version for e in events_of(samverkan, falerum)] == [1, 2, 3]
    assert len(events_of(samverkan, gardby)) == len(events_of(samverkan, tronö)) == 1
    assert chain_is_intact(samverkan)
    assert tracked_position(samverkan) == last_position(samverkan)


def test_a_repeated_idempotency_key_in_one_batch_opens_one_issue(samverkan: Samverkan) -> None:
    before = len(_log(samverkan))

    outcomes = in_one_batch(
        samverkan,
        (open_issue(), as_(idempotency_key="falerum-butik")),
        [(open_issue(), as_(idempotency_key="falerum-butik"))],
    )

    first, second = outcomes
    assert isinstance(first, CommandResult) and first == second
    assert len(_log(samverkan)) == before + 1


def test_a_failed_commit_acknowledges_no_member(samverkan: Samverkan) -> None:
    issues = opened(samverkan, 4)
    engine = samverkan.events.datastore.engine

    def database_gone(_connection: Any) -> None:
        raise sa.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    event.listen(engine, "commit", database_gone)
    try:
        outcomes = in_one_batch(
            samverkan, (note(issues[0]), as_()), [(note(i), as_()) for i in issues[1:]]
        )
    finally:
        event.remove(engine, "commit", database_gone)

    assert all(isinstance(outcome, StoreUnavailableError) for outcome in outcomes)
    assert all(len(events_of(samverkan, issue)) == 1 for issue in issues)
    recovered = samverkan.bus.dispatch(note(issues[0]), as_())
    assert recovered.version == 2
    assert chain_is_intact(samverkan)


def test_commands_nested_in_a_callers_transaction_commit_with_it(samverkan: Samverkan) -> None:
    with samverkan.events.transaction():
        result = samverkan.bus.dispatch(open_issue(), as_())
    assert len(events_of(samverkan, result.id)) == 1


class SerializationFailure(Exception):
    sqlstate = "40001"  # what PostgreSQL says when it cannot serialise a transaction


def test_a_commit_lost_to_another_writer_is_retried_and_stores_each_command_once(
    samverkan: Samverkan,
) -> None:
    issues = opened(samverkan, 4)
    engine = samverkan.events.datastore.engine
    failures: list[int] = []

    def conflict_once(_connection: Any) -> None:
        if not failures:
            failures.append(1)
            raise sa.OperationalError("COMMIT", {}, SerializationFailure("could not serialize"))

    event.listen(engine, "commit", conflict_once)
    try:
        outcomes = in_one_batch(
            samverkan, (note(issues[0]), as_()), [(note(i), as_()) for i in issues[1:]]
        )
    finally:
        event.remove(engine, "commit", conflict_once)

    assert failures == [1]
    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    assert all(len(events_of(samverkan, issue)) == 2 for issue in issues)
    assert chain_is_intact(samverkan)


def test_deferred_writes_the_database_refuses_raise_as_sqlalchemy_errors(
    samverkan: Samverkan,
) -> None:
    """On PostgreSQL the deferred writes go out in one pipeline and its errors arrive at its
    end: they must still be SQLAlchemy's errors, which say what a refusal means (here: the
    innocent members of the batch are retried alone)."""
    samverkan.bus.dispatch(open_issue(), as_())
    log = VIEWS["log"]
    with samverkan.events.transaction() as session:
        row = dict(session.execute(select(log)).mappings().one())
    with (
        pytest.raises(es.IntegrityError),  # the library's word for SQLAlchemy's IntegrityError
        samverkan.events.transaction() as session,
        pipelined(session),
    ):
        session.execute(log.insert(), [{**row, "position": row["position"] + 1000}])
        session.execute(log.insert(), [row])  # its position is taken
    with samverkan.events.transaction() as session:
        assert session.execute(select(log.c.position)).scalars().all() == [row["position"]]


def test_a_batch_whose_deferred_writes_are_refused_acknowledges_none_then_all_succeed(
    samverkan: Samverkan,
) -> None:
    issues = opened(samverkan, 4)
    before = last_position(samverkan)

    class Refused(Deferred):
        def write(self, session: Any) -> None:
            session.execute(chain_link.insert(), [{"position": 1, "hash": b"\0" * 32}])

    real = samverkan.bus.handlers[c.AddNote]
    refused: list[int] = []

    def refusing_once(command: Any, uow: UnitOfWork) -> CommandResult:
        if not refused:
            refused.append(1)
            deferred = deferred_writes(uow.session)  # type: ignore[attr-defined]
            assert deferred is not None
            deferred["refused"] = Refused()
        return real(command, uow)

    samverkan.bus.handlers = {**samverkan.bus.handlers, c.AddNote: refusing_once}
    outcomes = in_one_batch(
        samverkan, (note(issues[0]), as_()), [(note(i), as_()) for i in issues[1:]]
    )
    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    assert all(len(events_of(samverkan, issue)) == 2 for issue in issues)
    assert last_position(samverkan) > before
    assert chain_is_intact(samverkan)


def test_a_batch_writes_its_record_rows_together_and_they_equal_a_replay(
    samverkan: Samverkan, commits: list[int]
) -> None:
    """New records' rows go in with one statement per view just before the COMMIT; what they
    say is what a rebuild from the log says."""
    issues = opened(samverkan, 2)
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(f"INSERT INTO {VIEWS['issue'].name} "):
            inserts.append(statement)

    engine = samverkan.events.datastore.engine
    event.listen(engine, "before_cursor_execute", count)
    commits.clear()
    try:
        outcomes = in_one_batch(
            samverkan,
            (note(issues[0]), as_()),
            [(open_issue(), as_()) for _ in range(4)] + [(note(issues[1]), as_())],
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    assert len(commits) == 1
    assert len(inserts) == 1  # four new issues, one INSERT (an executemany)
    with samverkan.events.transaction() as session:
        rows = session.execute(
            select(VIEWS["issue"].c.id, VIEWS["issue"].c.version, VIEWS["issue"].c.position)
        ).all()
    by_id = {UUID(row.id): row for row in rows}
    for outcome in outcomes:
        assert isinstance(outcome, CommandResult)
        assert by_id[outcome.id].version == outcome.version
    assert check_views(samverkan.events)[1] == []
    assert chain_is_intact(samverkan)


def test_a_member_reading_record_views_sees_the_rows_earlier_members_left_pending(
    samverkan: Samverkan,
) -> None:
    """A handover lists what the leaver holds from the issue view: an issue given to them by an
    earlier member of the same batch, whose row is not yet written, is moved too."""
    anna = as_()
    issue = samverkan.bus.dispatch(open_issue(), anna).id
    assign = c.AssignResponsibility(
        issue_id=issue, unit="Näringsliv", role="strateg", user_id="karin.berg"
    )
    leave = c.HandOverResponsibilities(
        municipality=ÅTVIDABERG, from_user="karin.berg", to_user="olle.ek", note="Allt om byn."
    )

    outcomes = in_one_batch(samverkan, (assign, anna), [(leave, anna)])

    assert all(isinstance(outcome, CommandResult) for outcome in outcomes)
    with samverkan.events.transaction() as session:
        responsible = session.execute(
            select(VIEWS["issue"].c.responsible_user).where(VIEWS["issue"].c.id == str(issue))
        ).scalar_one()
    assert responsible == "olle.ek"
    assert check_views(samverkan.events)[1] == []
