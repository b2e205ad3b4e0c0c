"""A local plan's progress: each goal with the status of its issues and their outcomes.

Read from the issue and outcome views in one transaction, scoped like the plan: an issue of
another municipality never shows (the plan's adoption refused it; this is a second guard).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

ISSUE, OUTCOME = VIEWS["issue"], VIEWS["outcome"]
DONE = ("resolved",)


def goals_with_progress(events: EventStore, plan: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = sorted({i for g in plan["goals"] for i in g["issue_ids"]})
    with events.reading() as session:
        issues = {
            r["id"]: dict(r)
            for r in session.execute(
                select(ISSUE.c.id, ISSUE.c.title, ISSUE.c.locality, ISSUE.c.status).where(
                    ISSUE.c.id.in_(wanted), ISSUE.c.municipality == plan["municipality"]
                )
            ).mappings()
        }
        outcomes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        query = (
            select(
                OUTCOME.c.id.label("outcome_id"),
                OUTCOME.c.issue_id,
                OUTCOME.c.status,
                OUTCOME.c.summary,
                OUTCOME.c.observed_on,
                OUTCOME.c.indicators,
            )
            .where(OUTCOME.c.issue_id.in_(wanted), OUTCOME.c.status != "retracted")
            .order_by(OUTCOME.c.position)
        )
        for row in session.execute(query).mappings():
            outcomes[row["issue_id"]].append(dict(row))
    goals = []
    for number, goal in enumerate(plan["goals"], start=1):
        linked = [
            {"issue_id": i, **issues[i], "outcomes": outcomes.get(i, [])}
            for i in goal["issue_ids"]
            if i in issues
        ]
        for issue in linked:
            issue.pop("id", None)
        goals.append(
            {
                "number": number,
                "text": goal["text"],
                "issues": linked,
                "progress": {
                    "issues": len(linked),
                    "resolved": sum(1 for i in linked if i["status"] in DONE),
                    "open": sum(1 for i in linked if i["status"] == "open"),
                    "closed": sum(1 for i in linked if i["status"] == "closed"),
                    "with_outcomes": sum(1 for i in linked if i["outcomes"]),
                    "verified_outcomes": sum(
                        1 for i in linked for o in i["outcomes"] if o["status"] == "verified"
                    ),
                },
            }
        )
    return goals
