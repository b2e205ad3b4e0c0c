"""Retention reads: the municipality's rules, and the closed records past their time."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from domain.retention import falls_due, retention_plan_id
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

CLOSING_EVENTS = ("Issue.Resolved", "Issue.Closed")
CLOSED = ("resolved", "closed")


class RetentionQueries:
    def __init__(self, events: EventStore) -> None:
        self.events = events

    def rules(self, municipality: str) -> dict[str, int | None]:
        view = VIEWS["retention"]
        with self.events.reading() as session:
            found = session.execute(
                select(view.c.rules).where(view.c.id == str(retention_plan_id(municipality)))
            ).scalar()
        return dict(sorted((found or {}).items()))

    def due(self, municipality: str, today: date) -> list[dict[str, Any]]:
        """Closed issues (with their task forces, decisions and outcomes) past their time,
        oldest first; records already erased by gallring are left out."""
        rules = self.rules(municipality)
        issues, log, gallring = VIEWS["issue"], VIEWS["log"], VIEWS["gallring"]
        with self.events.reading() as session:
            closed = session.execute(
                select(issues.c.id, issues.c.title, issues.c.category).where(
                    issues.c.municipality == municipality, issues.c.status.in_(CLOSED)
                )
            ).all()
            closed_at = dict(
                session.execute(
                    select(log.c.record_id, func.max(log.c.occurred_at))
                    .where(log.c.municipality == municipality, log.c.type.in_(CLOSING_EVENTS))
                    .group_by(log.c.record_id)
                ).all()
            )
            erased = {
                record_id
                for ids in session.execute(
                    select(gallring.c.record_ids).where(gallring.c.municipality == municipality)
                ).scalars()
                for record_id in ids
            }
            due = []
            for issue_id, title, category in closed:
                if issue_id in erased or issue_id not in closed_at:
                    continue
                closed_on = closed_at[issue_id].date()
                due_on = falls_due(closed_on, rules[category]) if category in rules else None
                if due_on is None or due_on > today:
                    continue
                due.append(
                    {
                        "issue_id": issue_id,
                        "title": title,
                        "category": category,
                        "closed_on": closed_on,
                        "due_on": due_on,
                        "record_ids": [issue_id, *self._belonging_to(session, issue_id)],
                    }
                )
        return sorted(due, key=lambda d: (d["due_on"], d["closed_on"], d["issue_id"]))

    @staticmethod
    def _belonging_to(session: Any, issue_id: str) -> list[str]:
        found: list[str] = []
        for name in ("task_force", "decision", "outcome"):
            table = VIEWS[name]
            found += session.execute(
                select(table.c.id).where(table.c.issue_id == issue_id).order_by(table.c.position)
            ).scalars()
        return found
