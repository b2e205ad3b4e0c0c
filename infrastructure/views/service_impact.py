"""Vetlanda's rule: service is considered in every decision. Adopted decisions without an
assessment of their service impact, oldest decided first, scoped like every insight."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.values import Actor, DecisionStatus
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

DECISION, ISSUE = VIEWS["decision"], VIEWS["issue"]


def unassessed_decisions(
    events: EventStore, actor: Actor, municipality: str | None
) -> list[dict[str, Any]]:
    query = (
        select(
            DECISION.c.id.label("decision_id"),
            DECISION.c.issue_id,
            DECISION.c.municipality,
            ISSUE.c.locality,
            DECISION.c.title,
            DECISION.c.decision_body,
            DECISION.c.reference,
            DECISION.c.decided_on,
        )
        .select_from(DECISION.join(ISSUE, ISSUE.c.id == DECISION.c.issue_id))
        .where(DECISION.c.status == DecisionStatus.ADOPTED, DECISION.c.service_impact.is_(None))
        .order_by(DECISION.c.decided_on, DECISION.c.position)
    )
    if not actor.is_national:
        query = query.where(DECISION.c.municipality == actor.municipality)
    if municipality is not None:
        query = query.where(DECISION.c.municipality == municipality)
    with events.reading() as session:
        return [dict(r) for r in session.execute(query).mappings()]
