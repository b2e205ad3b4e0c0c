"""Which data key belongs to which record's free text or to which subject.

Written in the main database, in the command's own transaction, so an assignment commits
exactly when the events encrypted under its key do. Not a view: nothing rebuilds it from the
log, and replay never drops it. `destroyed_at` marks keys that gallring destroyed; their
material is then deleted from the key store (again at start-up, should a crash come between).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from infrastructure.store.group_commit import Deferred, deferred_writes

PENDING = "samverkan.key_assignments"
RECORD = "record"
SUBJECT = "subject"

metadata = MetaData()
key_assignment = Table(
    "key_assignment",
    metadata,
    Column("key_id", String(36), primary_key=True),
    Column("owner_kind", String(10), nullable=False),  # "record" (its free text) or "subject"
    Column("owner_id", String(36), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True)),
    Index("ix_key_assignment_owner", "owner_kind", "owner_id"),
)


def current_key(session: Session, owner_kind: str, owner_id: str) -> tuple[str, str] | None:
    """The owner's live key and its municipality, if it has one."""
    table = key_assignment
    row = session.execute(
        select(table.c.key_id, table.c.municipality)
        .where(
            table.c.owner_kind == owner_kind,
            table.c.owner_id == owner_id,
            table.c.destroyed_at.is_(None),
        )
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def assign(
    session: Session, key_id: str, owner_kind: str, owner_id: str, municipality: str
) -> None:
    """Record the assignment in the session's transaction: in a group commit, all of the
    batch's assignments in one statement just before its COMMIT."""
    row = {
        "key_id": key_id,
        "owner_kind": owner_kind,
        "owner_id": owner_id,
        "municipality": municipality,
        "assigned_at": datetime.now(UTC),
    }
    deferred = deferred_writes(session)
    if deferred is None:
        session.execute(insert(key_assignment), [row])
        return
    pending = deferred.setdefault(PENDING, PendingAssignments())
    assert isinstance(pending, PendingAssignments)
    pending.rows.append(row)


class PendingAssignments(Deferred):
    """A group commit's key assignments, inserted once before its COMMIT."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def write(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(key_assignment), self.rows)


def live_keys(session: Session, owner_kind: str, owner_ids: Iterable[str]) -> list[dict[str, Any]]:
    table = key_assignment
    ids = list(owner_ids)
    if not ids:
        return []
    rows = session.execute(
        select(table).where(
            table.c.owner_kind == owner_kind,
            table.c.owner_id.in_(ids),
            table.c.destroyed_at.is_(None),
        )
    ).mappings()
    return [dict(r) for r in rows]


def mark_destroyed(session: Session, key_ids: Iterable[str]) -> None:
    ids = list(key_ids)
    if ids:
        session.execute(
            update(key_assignment)
            .where(key_assignment.c.key_id.in_(ids))
            .values(destroyed_at=datetime.now(UTC))
        )


def destroyed_keys(session: Session) -> list[str]:
    table = key_assignment
    return list(
        session.execute(select(table.c.key_id).where(table.c.destroyed_at.is_not(None))).scalars()
    )
