"""The auditors' reads: a record's history, the global log, and the hash chain's verification.

Both logs are served from `event_log_view` (position, record, municipality), which the inline
projection writes in the same transaction as the events. On PostgreSQL every event insert holds
`LOCK TABLE ... IN EXCLUSIVE MODE` until commit, so events commit in position order: a reader
that has seen position P can never later see a smaller one appear.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection, Engine, Table, select

from application.errors import NotFoundError
from application.policy import AccessPolicy
from domain.decision import Decision
from domain.issue import Issue
from domain.locality import Locality
from domain.outcome import Outcome
from domain.task_force import TaskForce
from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.store.integrity import (
    Verification,
    Vouch,
    chain_head,
    chain_link,
    verify_chain,
    vouches_of,
)
from infrastructure.views.projections import TIMELINE_KINDS
from infrastructure.views.queries import Page, decode_cursor, encode_cursor
from infrastructure.views.read_models import VIEWS

STREAM_PAGE = 1000
INCIDENT_TOPIC = "domain.incident:IntegrityIncident.Recorded"
GALLRING_TOPIC = "domain.gallring:Gallring.GallringCarriedOut"
# Every event carries these; they are an item's own fields, or not the auditor's business.
ENVELOPE = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "actor",
        "command_id",
        "correlation_id",
    }
)


def plain(value: Any) -> Any:
    """JSON for an event field: UUIDs, dates and instants as ISO strings, decimals as strings."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most fields: first
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields as stable JSON: exactly `EVENT_FIELDS[type]`, in that order."""
    event_class: Any = type(event)
    return {name: plain(getattr(event, name)) for name in own_fields(event_class)}


@cache
def own_fields(event_class: Any) -> tuple[str, ...]:
    """The fields an event type adds to the envelope every event carries, in declared order."""
    return tuple(f.name for f in dataclasses.fields(event_class) if f.name not in ENVELOPE)


def _event_fields() -> dict[str, tuple[str, ...]]:
    fields: dict[str, tuple[str, ...]] = {}
    for aggregate in (Issue, TaskForce, Decision, Outcome):
        for name, cls in vars(aggregate).items():
            type_name = f"{aggregate.__name__}.{name}"
            if type_name in TIMELINE_KINDS:  # every concrete event, and nothing else
                fields[type_name] = own_fields(cls)
    return fields


EVENT_FIELDS = _event_fields()
EVENT_FIELDS.update(
    {
        f"Locality.{name}": own_fields(getattr(Locality, name))
        for name in ("Registered", "ServiceRecorded", "ServiceClosed")
    }
)


SAID_ABOUT_A_NOTE = ("Issue.NoteCorrected", "Issue.NoteWithdrawn")


def with_notes_lagrum(session: Any, items: list[dict[str, Any]]) -> None:
    """Give corrections and withdrawals the lagrum of the note they are about, where they lack it.

    Since release 3 these events carry the note's lagrum themselves. Those recorded before did
    not, and are as secret as the note: the note's row in the note view says under what lagrum.
    """
    missing = {
        str(item["data"]["note_id"])
        for item in items
        if item["type"] in SAID_ABOUT_A_NOTE and not item["data"].get("lagrum")
    }
    if not missing:
        return
    note = VIEWS["note"]
    found = dict(
        session.execute(
            select(note.c.note_id, note.c.lagrum).where(
                note.c.note_id.in_(missing), note.c.lagrum.is_not(None)
            )
        ).all()
    )
    for item in items:
        lagrum = found.get(str(item["data"].get("note_id")))
        if item["type"] in SAID_ABOUT_A_NOTE and lagrum and not item["data"].get("lagrum"):
            item["data"] = {**item["data"], "lagrum": lagrum}


class AuditQueries:
    """History per record, the global log of a scope, and verification of the whole chain."""

    def __init__(self, events: EventStore, policy: AccessPolicy) -> None:
        self.events = events
        self.policy = policy
        self.table: Table = events.recorder.events_record_cls.__table__  # type: ignore[attr-defined]

    def history(
        self, kind: str, actor: Actor, record_id: UUID, limit: int, cursor: str | None
    ) -> Page:
        """A record's events, oldest first. Another kind or municipality looks like nothing."""
        after = decode_cursor(cursor) if cursor else 0
        log, view = VIEWS["log"], VIEWS[kind]
        with self.events.reading() as session:
            municipality = session.execute(
                select(view.c.municipality).where(view.c.id == str(record_id))
            ).scalar()
            if municipality is None or not self.policy.can_see(actor, municipality):
                raise NotFoundError(f"No {kind.replace('_', ' ')} {record_id}.")
            query = (
                select(log)
                .where(log.c.record_id == str(record_id), log.c.position > after)
                .order_by(log.c.position)
                .limit(limit + 1)
            )
            rows = list(session.execute(query).mappings())
            return self._page(session, rows, limit, with_record=False)

    def log(self, actor: Actor, after: int, limit: int, cursor: str | None) -> Page:
        """Every event of the caller's scope after a position, in increasing positions."""
        start = decode_cursor(cursor) if cursor else after
        log = VIEWS["log"]
        query = select(log).where(log.c.position > start).order_by(log.c.position).limit(limit + 1)
        if not actor.is_national:
            query = query.where(log.c.municipality == actor.municipality)
        with self.events.reading() as session:
            rows = list(session.execute(query).mappings())
            return self._page(session, rows, limit, with_record=True)

    def _page(self, session: Any, rows: list[Any], limit: int, with_record: bool) -> Page:
        more = len(rows) > limit
        rows = rows[:limit]
        stored = self._stored(session, [r["position"] for r in rows])
        items = [self._item(r, stored[r["position"]], with_record) for r in rows]
        with_notes_lagrum(session, items)
        return Page(items, encode_cursor(rows[-1]["position"]) if more else None)

    def _stored(self, session: Any, positions: Sequence[int]) -> dict[int, StoredEvent]:
        if not positions:
            return {}
        t = self.table
        query = select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
        rows = session.execute(query.where(t.c.id.in_(positions))).all()
        return {
            r.id: StoredEvent(r.originator_id, r.originator_version, r.topic, bytes(r.state))
            for r in rows
        }

    def _item(
        self, row: Mapping[str, Any], stored: StoredEvent, with_record: bool
    ) -> dict[str, Any]:
        event: Any = self.events.mapper.to_domain_event(stored)
        item: dict[str, Any] = {
            "position": row["position"],
            "version": event.originator_version,
            "type": row["type"],
            "occurred_at": event.timestamp,
            "actor": dict(event.actor),
            "command_id": event.command_id,
            "correlation_id": event.correlation_id,
            "data": event_data(event),
        }
        if with_record:
            item["aggregate_type"] = row["record_type"]
            item["aggregate_id"] = row["record_id"]
        return item

    def verify(self, key: bytes) -> Verification:
        """Recheck the whole chain, streamed in position order, in one consistent snapshot."""
        t = self.table
        events_query = select(
            t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state
        ).order_by(t.c.id)
        links_query = select(chain_link).order_by(chain_link.c.position)
        incident_query = events_query.where(t.c.topic == INCIDENT_TOPIC)
        with self._snapshot() as connection:
            head = connection.execute(select(chain_head).where(chain_head.c.id == 1)).first()
            vouches = read_vouches(self.events, connection)
            streaming = connection.execution_options(yield_per=STREAM_PAGE)
            result = verify_chain(
                streaming.execute(events_query),
                streaming.execute(links_query),
                head,
                key,
                vouches,
            )
            incidents = [self._incident(r) for r in connection.execute(incident_query).all()]
        return result.with_incidents(incidents)

    def _incident(self, row: Any) -> dict[str, Any]:
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
        event: Any = self.events.mapper.to_domain_event(stored)
        return {
            "position": row.id,
            "recorded_at": event.timestamp,
            "recorded_by": event.actor["user_id"],
            **event_data(event),
        }

    def _snapshot(self) -> AbstractContextManager[Connection]:
        return snapshot(self.events)


def read_vouches(events: EventStore, connection: Connection) -> dict[int, Vouch]:
    """What every `GallringCarriedOut` in the log vouches for, by the position vouched for.

    A vouch counts only if its event is intact where verify reaches it (`verify_chain`).
    """
    t: Table = events.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
        .where(t.c.topic == GALLRING_TOPIC)
        .order_by(t.c.id)
    ).all()
    found: dict[int, Vouch] = {}
    for row in rows:
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
        try:
            event: Any = events.mapper.to_domain_event(stored)
        except Exception:  # bytes that do not decode vouch for nothing
            continue
        for position, vouch in vouches_of(row.id, getattr(event, "vouches", None)).items():
            found.setdefault(position, vouch)
    return found


@contextmanager
def snapshot(events: EventStore) -> Iterator[Connection]:
    """A read-only connection of its own whose statements all see the same committed state.

    It comes from outside the pool and is closed after use, so no earlier read left on a
    pooled connection (an unfinished result, a stale transaction) can freeze what it sees.
    """
    engine = events.datastore.engine
    assert isinstance(engine, Engine)
    if not events.datastore.is_sqlite_in_memory_db:  # a new connection would see another db
        engine = events.unpooled_engine()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        # On SQLite the store's recipe makes SQLAlchemy's BEGIN real: the first read begins a
        # transaction, and in WAL mode that pins one snapshot for every statement after it.
        try:
            yield connection
        finally:
            connection.rollback()
