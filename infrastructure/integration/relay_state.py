"""What the relay keeps in the store: the store's id, and how far each stream has been published.

These tables are the relay's own, not views: replay never rebuilds them, and the position moves
forward only after JetStream has acknowledged every event up to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from infrastructure.store.schema import create_missing
from infrastructure.views.read_models import VIEWS, Instant, Position

metadata = MetaData()
relay_store = Table(
    "relay_store",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", String(36), nullable=False),
)
relay_position = Table(
    "relay_position",
    metadata,
    Column("stream", String(64), primary_key=True),
    Column("position", Position, nullable=False),
    Column("status", String(200), nullable=False),
    Column("updated_at", Instant(), nullable=False),
)


def ensure_relay_tables(engine: Engine) -> None:
    """Create the relay's tables if missing (workers starting at once take turns)."""
    create_missing(engine, metadata)


def store_id(engine: Engine) -> str:
    """This store's random id, made once: `Nats-Msg-Id` is `<store id>:<position>`."""
    query = select(relay_store.c.store_id).where(relay_store.c.id == 1)
    with engine.connect() as connection:
        found = connection.execute(query).scalar()
    if found is not None:
        return str(found)
    try:
        with engine.begin() as connection:
            made = uuid.uuid4().hex
            connection.execute(insert(relay_store).values(id=1, store_id=made))
            return made
    except DBAPIError:  # another process made it first
        with engine.connect() as connection:
            return str(connection.execute(query).scalar_one())


def renew_store_id(engine: Engine) -> str:
    """A new id for a store that is a new branch of history (a restored backup): its next
    positions are not the ones the old store may already have published under its own id."""
    ensure_relay_tables(engine)
    made = uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(delete(relay_store))
        connection.execute(insert(relay_store).values(id=1, store_id=made))
    return made


def read_position(connection: Connection, stream: str) -> int:
    """The last position JetStream acknowledged for `stream`; 0 before the first."""
    query = select(relay_position.c.position).where(relay_position.c.stream == stream)
    return int(connection.execute(query).scalar() or 0)


def record_position(connection: Connection, stream: str, position: int, status: str) -> None:
    """Move the stream's position (call only with what JetStream has acknowledged)."""
    values = {"position": position, "status": status[:200], "updated_at": datetime.now(UTC)}
    done = connection.execute(
        update(relay_position).where(relay_position.c.stream == stream).values(**values)
    )
    if done.rowcount == 0:
        connection.execute(insert(relay_position).values(stream=stream, **values))


def record_status(connection: Connection, stream: str, status: str) -> None:
    """Say what the relay is doing (e.g. that NATS is unreachable) without moving its position."""
    record_position(connection, stream, read_position(connection, stream), status)


@dataclass(frozen=True)
class RelayLag:
    """How far the relay is behind the log: events not yet acknowledged, and the oldest's age."""

    position: int
    log_head: int
    events: int
    seconds: float
    status: str

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "lag_events": self.events,
            "lag_seconds": round(self.seconds, 3),
            "status": self.status,
        }


def relay_lag(connection: Connection, stream: str, log_head: int) -> RelayLag | None:
    """The lag of `stream`'s relay, or None where no relay has run on this store."""
    row = connection.execute(
        select(relay_position.c.position, relay_position.c.status).where(
            relay_position.c.stream == stream
        )
    ).first()
    if row is None:
        return None
    log = VIEWS["log"]
    oldest = connection.execute(
        select(func.min(log.c.occurred_at)).where(log.c.position == _next(row.position))
    ).scalar()
    seconds = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        seconds = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    events = max(0, log_head - row.position)
    return RelayLag(row.position, log_head, events, seconds if events else 0.0, row.status)


def _next(position: int) -> Any:
    """The first log position after `position` (PostgreSQL's ids have gaps)."""
    log = VIEWS["log"]
    return select(func.min(log.c.position)).where(log.c.position > position).scalar_subquery()
