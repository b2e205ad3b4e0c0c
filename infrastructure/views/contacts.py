"""Whom to contact about a category: the contact persons of the units that answer for it.

Personal data: only the caller's own municipality is ever read (never national scope), and the
policy lets only caseworkers and admins ask. Units per municipality are few, so the category is
matched here rather than in a JSON query that differs between SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

UNIT = VIEWS["unit"]


def contacts_for(
    events: EventStore, actor: Actor, municipality: str | None, category: str | None
) -> list[dict[str, Any]]:
    if municipality is not None and municipality != actor.municipality:
        return []  # a foreign municipality's contacts are never listed
    query = (
        select(UNIT.c.id, UNIT.c.name, UNIT.c.categories, UNIT.c.contacts)
        .where(UNIT.c.municipality == actor.municipality)
        .order_by(UNIT.c.name, UNIT.c.position)
    )
    with events.reading() as session:
        units = session.execute(query).all()
    return [
        {"unit_id": unit.id, "unit": unit.name, "categories": unit.categories, **contact}
        for unit in units
        if category is None or category in unit.categories
        for contact in unit.contacts
    ]
