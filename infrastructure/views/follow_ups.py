"""The follow-up list (bevakningslista): open issues' follow-ups, overdue ones first."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from domain.values import Actor, IssueStatus
from infrastructure.store.event_store import EventStore
from infrastructure.views.insights import scoped
from infrastructure.views.read_models import VIEWS


class FollowUps:
    """Read-only, scoped like every list: the caller's municipality, or `*` for national."""

    def __init__(self, events: EventStore) -> None:
        self.events = events

    def due(
        self, actor: Actor, municipality: str | None, overdue: bool | None, today: date
    ) -> list[dict[str, Any]]:
        """Follow-ups of open issues by due date, so the overdue ones (before today) come first.

        A resolved or closed issue's follow-up rests until the issue is reopened.
        """
        follow_up, issue = VIEWS["follow_up"], VIEWS["issue"]
        query = (
            select(
                follow_up,
                issue.c.locality,
                issue.c.title,
                issue.c.responsible_user,
            )
            .select_from(follow_up.join(issue, issue.c.id == follow_up.c.issue_id))
            .where(
                scoped(follow_up.c.municipality, actor, municipality),
                issue.c.status == IssueStatus.OPEN,
            )
            .order_by(follow_up.c.due_on, issue.c.position)
        )
        if overdue is not None:
            is_overdue = follow_up.c.due_on < today
            query = query.where(is_overdue if overdue else ~is_overdue)
        with self.events.reading() as session:
            rows = [dict(r) for r in session.execute(query).mappings()]
        for row in rows:
            row["overdue"] = row["due_on"] < today
            row["days_overdue"] = max((today - row["due_on"]).days, 0)
        return rows
