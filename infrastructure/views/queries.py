"""Read-side queries: record views (now, or at an earlier version or moment) and keyset lists."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Select, Table, func, select

from application.errors import NotFoundError
from application.policy import AccessPolicy
from domain.issue import Issue
from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views import text_search
from infrastructure.views.note_log import with_changes
from infrastructure.views.projections import record_row
from infrastructure.views.read_models import VIEWS

LOGS = {
    "issue": ("note", "issue_id", "notes"),
    "task_force": ("progress", "task_force_id", "progress"),
}


class InvalidCursorError(ValueError):
    """A cursor this service did not hand out."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))["p"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise InvalidCursorError("The cursor is not one this service handed out.") from error
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 2**62:
        raise InvalidCursorError("The cursor is not one this service handed out.")
    return position


class RecordQueries:
    def __init__(self, events: EventStore, policy: AccessPolicy) -> None:
        self.events = events
        self.policy = policy
        engine = events.datastore.engine
        assert engine is not None
        self._dialect = engine.dialect.name

    def view(
        self,
        kind: str,
        actor: Actor,
        record_id: UUID,
        version: int | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """A record as it is now, or as it was at `version` or at the instant `as_of`."""
        table = VIEWS[kind]
        with self.events.reading() as session:
            row = (
                session.execute(select(table).where(table.c.id == str(record_id)))
                .mappings()
                .first()
            )
            if row is None or not self.policy.can_see(actor, row["municipality"]):
                raise NotFoundError(f"No {kind.replace('_', ' ')} {record_id}.")
            if as_of is not None:
                version = self._version_at(session, record_id, as_of)
            if version is not None:
                if not 1 <= version <= row["version"]:
                    raise NotFoundError(f"The record has no version {version}.")
                row = self._rebuilt(record_id, version, row["position"])
            view = dict(row)
            if kind == "issue" and "follow_up" not in view:  # a rebuilt issue carries its own
                view["follow_up"] = self._follow_up(session, record_id)
            if kind in LOGS:
                view[LOGS[kind][2]] = self._log(session, kind, record_id, view["version"])
            if kind == "issue":  # each note as it reads after its corrections, marked
                view["notes"] = with_changes(session, view["id"], view["notes"], view["version"])
        return view

    def members_of_issue(self, issue_id: UUID) -> list[dict[str, Any]]:
        """Everyone on the issue's task forces: the persons its texts may name."""
        table = VIEWS["task_force"]
        with self.events.reading() as session:
            rows = session.execute(
                select(table.c.members).where(table.c.issue_id == str(issue_id))
            ).scalars()
            return [member for members in rows for member in members]

    def _version_at(self, session: Any, record_id: UUID, as_of: datetime) -> int:
        log = VIEWS["log"]
        # In UTC: SQLite compares instants as text, so another offset would compare wrongly.
        as_of = as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of.astimezone(UTC)
        version = session.execute(
            select(func.max(log.c.version)).where(
                log.c.record_id == str(record_id), log.c.occurred_at <= as_of
            )
        ).scalar()
        if version is None:
            raise NotFoundError(f"The record did not exist at {as_of.isoformat()}.")
        return int(version)

    def _rebuilt(self, record_id: UUID, version: int, position: int) -> dict[str, Any]:
        try:
            aggregate = self.events.repository.get(record_id, version=version)
        except AggregateNotFoundError as error:
            raise NotFoundError(f"The record has no version {version}.") from error
        row = {"position": position, **record_row(aggregate)}
        if isinstance(aggregate, Issue):
            row["follow_up"] = aggregate.follow_up
        return row

    def _follow_up(self, session: Any, issue_id: UUID) -> dict[str, Any] | None:
        table = VIEWS["follow_up"]
        found = session.execute(
            select(table.c.due_on, table.c.note, table.c.set_by, table.c.set_at).where(
                table.c.issue_id == str(issue_id)
            )
        ).first()
        return None if found is None else dict(found._mapping)

    def _log(self, session: Any, kind: str, record_id: UUID, version: int) -> list[dict[str, Any]]:
        name, key, _ = LOGS[kind]
        table = VIEWS[name]
        rows = (
            session.execute(
                select(table)
                .where(table.c[key] == str(record_id), table.c.version <= version)
                .order_by(table.c.position)
            )
            .mappings()
            .all()
        )
        return [dict(r) for r in rows]

    def page(
        self,
        kind: str,
        actor: Actor,
        filters: dict[str, Any],
        limit: int,
        cursor: str | None,
        text: str | None = None,
        overdue: bool | None = None,
    ) -> Page:
        """One page of records the caller may see, newest first, after `cursor`."""
        table = VIEWS[kind]
        query = select(table).order_by(table.c.position.desc()).limit(limit + 1)
        query = self._scoped(query, table, actor, filters.pop("municipality", None))
        for name, value in filters.items():
            if value is not None:
                query = query.where(table.c[name] == value)
        if overdue is not None:
            today = datetime.now(UTC).date()
            is_overdue = (table.c.status == "active") & (table.c.due_on < today)
            query = query.where(is_overdue if overdue else ~is_overdue)
        before = None if cursor is None else decode_cursor(cursor)
        if before is not None:
            query = query.where(table.c.position < before)
        if text:
            query = text_search.narrowed(query, table, text, self._dialect, before)
        with self.events.reading() as session:
            rows = [dict(r) for r in session.execute(query).mappings().all()]
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, encode_cursor(rows[-1]["position"]) if more else None)

    def _scoped(
        self, query: Select[Any], table: Table, actor: Actor, municipality: str | None
    ) -> Select[Any]:
        if not actor.is_national:
            query = query.where(table.c.municipality == actor.municipality)
        if municipality is not None:
            query = query.where(table.c.municipality == municipality)
        return query


def is_overdue(view: dict[str, Any], today: date | None = None) -> bool:
    today = today or datetime.now(UTC).date()
    return bool(view["status"] == "active" and view["due_on"] < today)
