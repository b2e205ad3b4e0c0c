"""One record's events, decoded, with their log positions, read in the caller's session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from infrastructure.store.event_store import EventStore


def record_events(
    events: EventStore, session: Session, record_id: UUID
) -> Iterator[tuple[int, Any]]:
    """`(position, event)` for each of the record's events, oldest first."""
    log = events.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    columns = log.c
    rows = session.execute(
        select(columns.id, columns.originator_id, columns.originator_version)
        .add_columns(columns.topic, columns.state)
        .where(columns.originator_id == record_id)
        .order_by(columns.originator_version)
    ).all()
    to_domain_event = events.mapper.to_domain_event
    for position, originator_id, version, topic, state in rows:
        yield position, to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))
