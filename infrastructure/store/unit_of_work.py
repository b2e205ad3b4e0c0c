"""The unit of work: one transaction in which a command loads, saves, projects and is remembered."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import eventsourcing.persistence as es
import sqlalchemy.exc as sa
from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from application.errors import (
    IntegrityAlarmError,
    NotFoundError,
    PreconditionFailedError,
    StorageFullError,
    StoreUnavailableError,
    UnstorableInputError,
    WriteConflictError,
)
from application.policy import AccessPolicy
from application.ports import CommandContext, CommandResult, Holdings, Remembered
from domain import clock
from domain.base import CaseAggregate
from domain.issue import NoteState
from domain.registration import RegistrationNumber
from infrastructure.store.disk_full import is_disk_full, reclaim_wal
from infrastructure.store.event_store import EventStore
from infrastructure.store.group_commit import (
    Batch,
    GroupCommitter,
    Member,
    in_a_transaction,
    refused_input,
)
from infrastructure.store.key_assignments import destroyed_keys
from infrastructure.store.registrations import highest_serial
from infrastructure.store.sealing import SealingMapper
from infrastructure.store.subjects import subject_for
from infrastructure.store.wal_guard import WalGuard
from infrastructure.views.insights import holdings_of
from infrastructure.views.note_log import note_state
from infrastructure.views.projections import Projector, write_pending_records
from infrastructure.views.read_models import VIEWS

A = TypeVar("A", bound=CaseAggregate)

NOT_LOOKED = object()
NEWEST_GALLRING = select(func.max(VIEWS["gallring"].c.position))

# PostgreSQL states worth a retry: lock timeout, serialization failure, deadlock.
RETRYABLE_SQLSTATES = {"55P03", "40001", "40P01"}


class SqlUnitOfWork:
    def __init__(
        self,
        session: Session,
        events: EventStore,
        context: CommandContext,
        target: UUID | None,
        projector: Projector,
        policy: AccessPolicy,
        batch: tuple[Batch, Member] | None = None,
    ) -> None:
        self.session = session
        self.batch: Batch | None = batch[0] if batch else None
        self.member = batch[1] if batch else Member()
        self.events = events
        self.context = context
        self.target = target
        self.projector = projector
        self.policy = policy
        self.by = context.provenance
        self.today: date = clock.today()  # the real day, unless a loader injected one
        self.saved: list[CaseAggregate] = []
        self.serials: dict[tuple[str, str, int], int] = {}  # given out here, written on save

    def get(self, record_id: UUID, kind: type[A]) -> A:
        try:
            aggregate = self._load(record_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, kind) or not self.policy.can_see(
            self.context.actor, aggregate.municipality
        ):
            raise NotFoundError(f"No {kind.__name__.lower()} {record_id}.")
        expected = self.context.expected_version
        if record_id == self.target and expected is not None and aggregate.version != expected:
            raise PreconditionFailedError(
                f"The record is at version {aggregate.version}, not {expected}; nothing written."
            )
        return aggregate

    def _load(self, record_id: UUID) -> Any:
        repository = self.events.repository
        if self.batch is not None and record_id in self.batch.written_ids:
            # Written earlier in this uncommitted batch: rebuilt from the batch's session, and
            # kept out of the aggregate cache, which must never hold state that may roll back.
            return repository._reconstruct_aggregate(record_id, None, mutate_each)
        return repository.get(record_id, projector_func=mutate_each)

    def _writing(self, *record_ids: UUID) -> None:
        if self.batch is not None:
            self.batch.writing(self.member, record_ids)

    def save(self, *aggregates: CaseAggregate) -> CommandResult:
        self._writing(*(a.id for a in aggregates))
        recordings = self.events.save(*aggregates)
        self.saved.extend(aggregates)
        if self.batch is not None:  # the numbers are in the issue views now (see below)
            self.batch.memo.update(self.serials)
        events = [(r.domain_event, r.notification.id) for r in recordings]
        created = {e.originator_id: p for e, p in events if e.originator_version == 1}
        position = self.projector.project(
            self.session, events, {a.id: a for a in aggregates}, created
        )
        first = aggregates[0]
        return CommandResult(first.id, first.version, position)

    def held_by(self, user_id: str) -> Holdings:
        write_pending_records(self.session)
        return holdings_of(self.session, self.context.actor.municipality, user_id)

    def subject_for(self, municipality: str, display_name: str, organisation: str) -> str:
        return subject_for(self.session, municipality, display_name, organisation)

    def recall(self, idempotency_key: str) -> Remembered | None:
        table = VIEWS["idempotency"]
        row = self.session.execute(
            select(table).where(
                table.c.user_id == self.context.actor.user_id, table.c.key == idempotency_key
            )
        ).first()
        if row is None:
            return None
        result = CommandResult(UUID(row.record_id), row.version, row.position, row.member_id)
        return Remembered(row.fingerprint, result)

    def remember(self, idempotency_key: str, fingerprint: str, result: CommandResult) -> None:
        self._writing()
        self.session.execute(
            insert(VIEWS["idempotency"]).values(
                user_id=self.context.actor.user_id,
                key=idempotency_key,
                fingerprint=fingerprint,
                record_id=str(result.id),
                version=result.version,
                position=result.position,
                member_id=result.member_id,
            )
        )

    def next_registration_number(self, municipality: str, year: int) -> str:
        """The next serial after every number in the store and in this batch.

        A batch remembers the newest serial its members saved, so only its first command of a
        municipality and year reads the issue view; a number given out by a command that then
        fails before saving is given out again. That read takes the log's write lock first, so a
        batch in another process never reads the same highest number.
        """
        key = ("serial", municipality, year)
        highest = self.serials.get(key)
        if highest is None and self.batch is not None:
            highest = self.batch.memo.get(key)
        if highest is None:
            self.events.lock_for_writing(self.session)  # other processes' writers wait
            write_pending_records(self.session)
            highest = highest_serial(self.session, municipality, year)
        self.serials[key] = highest + 1
        return str(RegistrationNumber(municipality, year, highest + 1))

    def note(self, issue_id: UUID, note_id: UUID) -> NoteState | None:
        return note_state(self.session, issue_id, note_id)


def mutate_each(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its per-event runtime Protocol check.

    Every event here is a `CaseAggregate` event, which has `mutate`; the check was a tenth of
    loading a cached aggregate in the profile.
    """
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class SqlStore:
    """Opens units of work on the event store, and turns database failures into their meaning."""

    def __init__(
        self,
        events: EventStore,
        projector: Projector | None = None,
        policy: AccessPolicy | None = None,
    ) -> None:
        self.events = events
        self.projector = projector or Projector()
        self.policy = policy or AccessPolicy()
        self.keys = events.mapper.keys if isinstance(events.mapper, SealingMapper) else None
        self._newest_gallring: object = NOT_LOOKED
        self.committer = GroupCommitter(
            events.datastore, translate=meaning_of, before_batch=self._notice_gallring
        )
        self.wal_guard = WalGuard(events.datastore.engine)

    def _notice_gallring(self, session: Session) -> None:
        """Before a batch: keys destroyed by a gallring, here or in another process, are never
        used by a command of this batch, nor any aggregate decrypted with them.

        A gallring commits its event, its view row and the keys it destroys in one transaction
        of this database, so the newest gallring position (one read in the batch's own
        transaction) tells when to look; the key store's material goes only after that commit.
        """
        if self.keys is None:
            return
        newest = session.connection().execute(NEWEST_GALLRING).scalar()
        if newest == self._newest_gallring:
            return
        self.keys.notice_destroyed(destroyed_keys(session))
        self._newest_gallring = newest

    @contextmanager
    def unit_of_work(self, context: CommandContext, target: UUID | None) -> Iterator[SqlUnitOfWork]:
        """A unit of work in a group commit; nested in the caller's transaction if it has one."""
        with translated_store_errors():
            if in_a_transaction():
                with self.events.transaction() as session:
                    yield self._unit(session, context, target)
                return
            try:
                with self.committer.member() as (batch, member):
                    unit = self._unit(batch.session, context, target, (batch, member))
                    yield unit
            except Exception as error:
                if is_disk_full(error):  # the batch has let go of the store by now
                    reclaim_wal(self.events.datastore.engine)
                raise
            self._cache_committed(unit.saved)  # reached only once the COMMIT succeeded
            self.wal_guard.committed()

    def _cache_committed(self, aggregates: list[CaseAggregate]) -> None:
        """Put committed aggregates in the repository's cache, as the library does without
        fast-forward: the next command on them then finds no events to fetch, decode and apply.

        Only committed state goes in. One with pending events (changed but not saved) stays
        out. A stale entry (another writer committed later) is still fast-forwarded on load.
        """
        cache = self.events.repository.cache
        if cache is None:
            return
        for aggregate in aggregates:
            if not aggregate.pending_events:
                cache.put(aggregate.id, aggregate)

    def _unit(
        self,
        session: Session,
        context: CommandContext,
        target: UUID | None,
        batch: tuple[Batch, Member] | None = None,
    ) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            session, self.events, context, target, self.projector, self.policy, batch
        )


def meaning_of(error: BaseException) -> BaseException | None:
    """What a database error means to a command; None for anything else."""
    if isinstance(error, IntegrityAlarmError):  # every member of the batch is refused alike
        return IntegrityAlarmError(str(error))
    if isinstance(error, sa.IntegrityError | es.IntegrityError):
        return WriteConflictError("Another writer got there first.")
    if refused_input(error):  # a value the database cannot store: the command's own fault
        return UnstorableInputError("The database refused a value of this request.")
    if isinstance(
        error,
        sa.OperationalError
        | sa.InterfaceError
        | es.OperationalError
        | es.InterfaceError
        | sa.DBAPIError
        | es.DatabaseError,
    ):
        if _sqlstate(error) in RETRYABLE_SQLSTATES:
            return WriteConflictError("The record is locked by another writer.")
        if is_disk_full(error):
            return StorageFullError("The disk is full; nothing was recorded.")
        return StoreUnavailableError("The database cannot be reached.")
    return None


@contextmanager
def translated_store_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        meaning = meaning_of(error)
        if meaning is None:
            raise
        raise meaning from error


def _sqlstate(error: BaseException) -> str | None:
    seen: BaseException | None = error
    while seen is not None:
        state = getattr(getattr(seen, "orig", None), "sqlstate", None) or getattr(
            seen, "sqlstate", None
        )
        if state:
            return str(state)
        seen = seen.__cause__
    return None
