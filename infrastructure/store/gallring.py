"""Carrying out gallring: destroy keys, record it, rebuild the touched views, scrub the files.

In one transaction of the main database: the `GallringCarriedOut` event, the key assignments
marked destroyed, the touched records' snapshots deleted (they are a cache holding decrypted
state), and every touched record's view rows rebuilt from its events with the projection code
replay runs, so `replay --check` stays clean. Only after the COMMIT is the key material
deleted from the key store; at start-up any key marked destroyed whose material is still
there is deleted too, so a crash in between loses nothing. Then the freed bytes are scrubbed:
SQLite merges the text search index (which keeps a deleted row's trigrams until then) and
checkpoints its WAL (every connection runs with `secure_delete`); PostgreSQL vacuums the
touched tables, their trigram index with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from application.errors import NotFoundError
from domain.base import CaseAggregate
from domain.gallring import Gallring
from domain.values import Provenance
from infrastructure.store import key_assignments as assignments
from infrastructure.store.event_store import EventStore
from infrastructure.store.keystore import KeyStore, scrub, secure_sqlite
from infrastructure.store.redaction import redact_plaintext
from infrastructure.store.schema import create_missing
from infrastructure.store.sealing import SealingMapper
from infrastructure.views import text_search
from infrastructure.views.projections import RECORD_TYPES, Projector, event_rows, record_rows
from infrastructure.views.read_models import REBUILT_FROM_LOG, VIEWS
from infrastructure.views.record_log import record_events

# The column that names a record in each view that is not a record view itself.
RECORD_COLUMNS = {
    "note": "issue_id",
    "note_change": "issue_id",
    "follow_up": "issue_id",
    "progress": "task_force_id",
    "log": "record_id",
    "timeline": "record_id",
    "subject": "record_id",
}


def key_store(events: EventStore) -> KeyStore | None:
    mapper = events.mapper
    return mapper.keys if isinstance(mapper, SealingMapper) else None


def prepare_personal_data(events: EventStore) -> None:
    """At start-up: the assignment table, secure deletes, and no destroyed key left behind."""
    engine = events.datastore.engine
    assert engine is not None
    create_missing(engine, assignments.metadata)
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        sqlalchemy_event.listen(engine, "connect", secure_sqlite)
        engine.dispose()  # connections opened before the listener: reopened with it
    keys = key_store(events)
    if keys is None:
        return
    cache = events.repository.cache
    if cache is not None:  # decrypted state: gone when another process carries out gallring
        keys.on_gallring_elsewhere(lambda: empty_cache(cache))
    with events.reading() as session:
        destroyed = assignments.destroyed_keys(session)
    if destroyed:
        keys.delete(destroyed)


def empty_cache(cache: Any) -> None:
    """Empty the library's aggregate cache. Its own `LRUCache.clear()` resets the recency
    list but keeps the entries (eventsourcing 9), so the mapping is emptied here too."""
    lock = getattr(cache, "lock", None)
    with lock if lock is not None else nullcontext():
        cache.cache.clear()
        if hasattr(cache, "root"):
            cache.clear()
            cache.full = False


@dataclass(frozen=True)
class GallringDone:
    id: UUID
    position: int
    subjects: list[str]
    records: list[str]


class GallringService:
    """Carries out gallring for one municipality's admin."""

    def __init__(self, events: EventStore, projector: Projector | None = None) -> None:
        self.events = events
        self.projector = projector or Projector()

    def carry_out(
        self,
        by: Provenance,
        decision_reference: str,
        reason: str,
        subject_ids: list[str],
        record_ids: list[str],
    ) -> GallringDone:
        municipality = by.actor.municipality
        keys = key_store(self.events)
        with self.events.transaction() as session:
            self._lock(session)
            self._require_known(session, municipality, subject_ids, record_ids)
            key_ids, touched = self._what_to_destroy(session, subject_ids, record_ids)
            if keys is not None:
                keys.forget(key_ids)  # from here, reads in this process see "[gallrad]"
            try:
                # Events stored before encryption: redacted in place, vouched for below.
                vouches = redact_plaintext(session, self._events_table, record_ids)
                gallring = Gallring.carry_out(
                    municipality=municipality,
                    decision_reference=decision_reference,
                    reason=reason,
                    subject_ids=subject_ids,
                    record_ids=record_ids,
                    key_ids=key_ids,
                    by=by,
                    vouches=vouches,
                )
                recordings = self.events.save(gallring)
                saved = [(r.domain_event, r.notification.id) for r in recordings]
                position = self.projector.project(
                    session, saved, {gallring.id: gallring}, {gallring.id: saved[0][1]}
                )
                assignments.mark_destroyed(session, key_ids)
                self._drop_snapshots(session, touched)
                rebuild_records(self.events, session, touched)
            except BaseException:
                if keys is not None:
                    keys.unforget(key_ids)
                raise
        self._forget_cached(touched)
        if keys is not None:
            keys.delete(key_ids)
        self._scrub(redacted_events=bool(vouches))
        return GallringDone(gallring.id, position, subject_ids, record_ids)

    @property
    def _events_table(self) -> Table:
        return self.events.recorder.events_record_cls.__table__  # type: ignore[attr-defined,no-any-return]

    def _lock(self, session: Session) -> None:
        """PostgreSQL: no other writer appends while the keys are chosen and destroyed."""
        if session.get_bind().dialect.name == "postgresql":
            table = self.events.recorder.events_table_name  # type: ignore[attr-defined]
            session.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))

    @staticmethod
    def _require_known(
        session: Session, municipality: str, subject_ids: list[str], record_ids: list[str]
    ) -> None:
        """Every id names a subject or record of the caller's municipality; otherwise 404."""
        log, subjects = VIEWS["log"], VIEWS["subject"]
        for record_id in record_ids:
            found = session.execute(
                select(log.c.municipality).where(log.c.record_id == record_id).limit(1)
            ).scalar()
            if found != municipality:
                raise NotFoundError(f"No record {record_id}.")
        for subject_id in subject_ids:
            found = session.execute(
                select(subjects.c.municipality).where(subjects.c.subject_id == subject_id).limit(1)
            ).scalar()
            if found != municipality:
                raise NotFoundError(f"No subject {subject_id}.")

    @staticmethod
    def _what_to_destroy(
        session: Session, subject_ids: list[str], record_ids: list[str]
    ) -> tuple[list[str], list[str]]:
        """The keys to destroy, and the records whose views show what they protect."""
        subjects = VIEWS["subject"]
        appearances = session.execute(
            select(subjects.c.subject_id, subjects.c.record_id).where(
                subjects.c.subject_id.in_(subject_ids) | subjects.c.record_id.in_(record_ids)
            )
        ).all()
        chosen = set(record_ids)
        # Subjects on the chosen records who appear on no other record go with them.
        on_chosen = {s for s, r in appearances if r in chosen}
        elsewhere = set(
            session.execute(
                select(subjects.c.subject_id).where(
                    subjects.c.subject_id.in_(on_chosen), subjects.c.record_id.not_in(chosen)
                )
            ).scalars()
        )
        erased_subjects = set(subject_ids) | (on_chosen - elsewhere)
        touched = chosen | {r for s, r in appearances if s in set(subject_ids)}
        keys = assignments.live_keys(session, assignments.SUBJECT, sorted(erased_subjects))
        keys += assignments.live_keys(session, assignments.RECORD, sorted(chosen))
        return sorted({k["key_id"] for k in keys}), sorted(touched)

    def _drop_snapshots(self, session: Session, record_ids: list[str]) -> None:
        snapshots = self.events.snapshots
        if snapshots is None or not record_ids:
            return
        table = snapshots.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        ids = [UUID(r) for r in record_ids]
        session.execute(delete(table).where(table.c.originator_id.in_(ids)))

    def _forget_cached(self, record_ids: list[str]) -> None:
        """The aggregate cache holds decrypted state: the touched records leave it."""
        cache = self.events.repository.cache
        if cache is None:
            return
        for record_id in record_ids:
            with suppress(KeyError):
                cache.get(UUID(record_id), evict=True)

    def _scrub(self, redacted_events: bool = False) -> None:
        engine = self.events.datastore.engine
        assert engine is not None
        tables = [VIEWS[name].name for name in (*REBUILT_FROM_LOG,)]
        if redacted_events:  # events rewritten in place: their old bytes go too
            tables.append(self._events_table.name)
        snapshots = self.events.snapshots
        if snapshots is not None:
            tables.append(snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
        with engine.begin() as connection:
            text_search.purge(connection)  # the erased text's trigrams, before the checkpoint
        scrub(engine, tables)


def rebuild_records(events: EventStore, session: Session, record_ids: Iterable[str]) -> None:
    """Rebuild the view rows of these records from their events, as replay would write them."""
    ids = list(record_ids)
    if not ids:
        return
    for name in REBUILT_FROM_LOG:
        table = VIEWS[name]
        column = _record_column(name, table)
        if column is not None:
            session.execute(delete(table).where(table.c[column].in_(ids)))
    for record_id in ids:
        aggregate: CaseAggregate | None = None
        first = 0
        by_table: dict[str, list[dict[str, Any]]] = {}
        for position, event in record_events(events, session, UUID(record_id)):
            first = first or position
            aggregate = event.mutate(aggregate)
            assert aggregate is not None
            for name, row in event_rows(event, position, aggregate).items():
                by_table.setdefault(name, []).append(row)
        if aggregate is None:
            continue
        for name, row in record_rows(aggregate, first).items():
            by_table.setdefault(name, []).append(row)
        for name, table_rows in by_table.items():
            session.execute(insert(VIEWS[name]), table_rows)


def _record_column(name: str, table: Table) -> str | None:
    if name in RECORD_COLUMNS:
        return RECORD_COLUMNS[name]
    if name in RECORD_TYPES.values():
        return "id"
    return "record_id" if "record_id" in table.c else None
