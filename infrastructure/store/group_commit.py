"""Group commit: concurrent commands share one transaction and one durable COMMIT.

One flush to disk per command caps throughput at the disk's flush rate. Commands already run
one at a time against the store (SQLite's write lock; PostgreSQL's table lock on insert), so
instead of one transaction each, the commands that queue up while one runs join its batch:
each member takes the turn, runs its whole unit of work in the batch's session, and hands the
turn on. The member that finds nobody waiting (or the batch full, or old) commits. Every member
returns only after that COMMIT succeeded: a 2xx still means the command is on disk.

A member that fails before writing anything leaves the batch intact and fails alone. A member
that fails after it started writing, or on any database error (PostgreSQL aborts the whole
transaction then), poisons the batch: it is rolled back and every other member gets a
`WriteConflictError`, which the bus retries (safe: nothing of theirs committed), or a
`StoreUnavailableError` when the database is gone. A failed COMMIT fails every member alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import eventsourcing.persistence as es
import sqlalchemy.exc as sa
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore, Transaction, transactions
from sqlalchemy.orm import Session

from application.errors import WriteConflictError

DEFERRED = "samverkan.deferred"
WRITER = "samverkan_sqlite_begin"  # read by the SQLite engine's BEGIN (event_store.py)
DATABASE_ERRORS = (sa.SQLAlchemyError, es.PersistenceError)


class Deferred:
    """A write a batch makes once, just before its COMMIT: the last value wins.

    Writes only: on PostgreSQL they go out in a pipeline (`pipelined`), where no statement's
    result can be read.
    """

    def write(self, session: Session) -> None:
        raise NotImplementedError


def deferred_writes(session: Session) -> dict[str, Deferred] | None:
    """The writes to make before this session's COMMIT; None outside a group commit."""
    deferred: dict[str, Deferred] | None = session.info.get(DEFERRED)
    return deferred


def once_per_transaction(session: Session, name: str) -> bool:
    """True the first time `name` is asked about in the session's current transaction."""
    current = session.get_transaction()
    if session.info.get(name) is current:
        return False
    session.info[name] = current
    return True


@dataclass(eq=False)
class Member:
    """One command in a batch: whether it started writing, and how it ended."""

    wrote: bool = False
    error: BaseException | None = None


@dataclass(eq=False)
class Batch:
    """One open transaction shared by the commands that joined it."""

    transaction: Transaction
    opened: float = field(default_factory=time.monotonic)
    members: int = 0
    written_ids: set[UUID] = field(default_factory=set)
    poisoner: Member | None = None
    failure: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    # What members that wrote leave for later members of this batch (e.g. the newest serial);
    # it goes with the transaction, so nothing in it outlives a rollback.
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        return self.transaction.session

    def writing(self, member: Member, record_ids: Iterable[UUID] = ()) -> None:
        """Called before a member's first write: from now on its failure poisons the batch."""
        member.wrote = True
        self.written_ids.update(record_ids)


class GroupCommitter:
    """Lets the commands that arrive while one runs share its transaction and COMMIT."""

    def __init__(
        self,
        datastore: SQLAlchemyDatastore,
        max_members: int = 64,
        max_seconds: float = 0.05,
        translate: Callable[[BaseException], BaseException | None] = lambda error: None,
        before_batch: Callable[[Session], None] = lambda session: None,
    ) -> None:
        self.datastore = datastore
        self.before_batch = before_batch  # in the batch's transaction, before any member
        self.max_members = max_members
        self.max_seconds = max_seconds
        self.translate = translate  # a database error's meaning, for the innocent members
        self._turn = threading.Lock()  # only its holder touches the open batch's session
        # After a batch that the database refused for one member's input, batches hold one
        # member each for a moment, so the retried innocents commit and the culprit fails alone.
        self.solo_seconds = 1.0
        self._solo_until = 0.0
        self._state = threading.Lock()
        self._waiting = 0
        self._batch: Batch | None = None

    @property
    def waiting(self) -> int:
        """How many commands are queued for the turn right now."""
        with self._state:
            return self._waiting

    @contextmanager
    def member(self) -> Iterator[tuple[Batch, Member]]:
        """Run the body as one member of the open batch; return once the batch committed."""
        with self._state:
            self._waiting += 1
        self._turn.acquire()
        try:
            with self._state:
                self._waiting -= 1
            batch = self._batch or self._open()
        except BaseException:
            self._turn.release()
            raise
        member = Member()
        batch.members += 1
        token = transactions.set(batch.transaction)  # library calls in this thread join the batch
        try:
            yield batch, member
        except BaseException as error:
            member.error = error
            if batch.poisoner is None and (member.wrote or isinstance(error, DATABASE_ERRORS)):
                batch.poisoner = member
        finally:
            transactions.reset(token)
            if self._should_close(batch):
                self._close(batch)
            self._turn.release()
        batch.done.wait()
        self._settle(batch, member)

    def _open(self) -> Batch:
        transaction = self.datastore.transaction(commit=True)  # takes SQLite's write lock
        if transaction.token is not None:
            transactions.reset(transaction.token)  # each member sets it in its own thread
        try:
            transaction.__enter__()  # BEGIN, and nested from here on: no member commits alone
            # SQLite: take the write lock now, so no read of this batch sees a snapshot that
            # another process's commit makes stale before this batch writes.
            transaction.session.connection(execution_options={WRITER: "IMMEDIATE"})
            self.before_batch(transaction.session)
        except BaseException:
            transaction.session.close()
            if transaction.lock is not None:
                transaction.lock.release()
            raise
        transaction.session.info[DEFERRED] = {}
        self._batch = Batch(transaction)
        return self._batch

    def _should_close(self, batch: Batch) -> bool:
        return (
            self.waiting == 0
            or time.monotonic() < self._solo_until
            or batch.poisoner is not None
            or batch.members >= self.max_members
            or time.monotonic() - batch.opened >= self.max_seconds
        )

    def _close(self, batch: Batch) -> None:
        self._batch = None
        session = batch.session
        try:
            if batch.poisoner is not None:
                batch.failure = batch.poisoner.error
                session.rollback()
            else:  # committed even if no member wrote: cheap then, and never loses a write
                with pipelined(session):
                    for deferred in (session.info.get(DEFERRED) or {}).values():
                        deferred.write(session)
                session.commit()
        except BaseException as error:
            batch.failure = error
            if batch.members > 1 and refused_input(error):
                self._solo_until = time.monotonic() + self.solo_seconds
            with suppress(Exception):
                session.rollback()
        finally:
            session.info.pop(DEFERRED, None)
            with suppress(Exception):
                session.close()
            if batch.transaction.lock is not None:
                batch.transaction.lock.release()
            batch.done.set()

    def _settle(self, batch: Batch, member: Member) -> None:
        """Raise what this member must see: its own error, or the batch's if it did not commit."""
        if batch.failure is not None and batch.poisoner is not member:
            if batch.members > 1 and refused_input(batch.failure):
                raise WriteConflictError(
                    "The database refused a command committed together with this one; "
                    "this one is retried on its own."
                ) from batch.failure
            meaning = self.translate(batch.failure)
            if meaning is not None and not isinstance(meaning, WriteConflictError):
                raise meaning from batch.failure
            raise WriteConflictError(
                "A command committed together with this one failed; nothing was written."
            ) from batch.failure
        if member.error is not None:
            raise member.error


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """PostgreSQL: the statements of the body go out together and are answered together (psycopg
    pipeline mode), one round trip instead of one each. Only for writes whose results nobody
    reads, as the deferred writes are. A statement the database refuses raises at the end of
    the body, as SQLAlchemy would have raised it at the statement."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or not hasattr(driver, "pipeline"):
        yield
        return
    error_class = connection.dialect.loaded_dbapi.Error
    try:
        with driver.pipeline():
            yield
    except error_class as error:
        raise sa.DBAPIError.instance(None, None, error, error_class) from error


def refused_input(error: BaseException) -> bool:
    """A database error caused by what was written (a value, a constraint), not by the
    database's state: retrying the innocent members alone lets them commit."""
    if isinstance(error, sa.DataError | sa.IntegrityError | es.DataError | es.IntegrityError):
        return True
    if isinstance(error, UnicodeError):  # text the driver or the transcoder cannot encode
        return True
    return isinstance(error, sa.StatementError) and not isinstance(error, sa.DBAPIError)


def in_a_transaction() -> bool:
    """Whether this thread already runs inside a store transaction (then commands nest in it)."""
    return transactions.get(None) is not None
