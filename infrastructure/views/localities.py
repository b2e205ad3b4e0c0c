"""The locality register's list: registered localities, and names used on issues and plans.

A locality named on an issue or a dialogue plan is in the register too, without coordinates,
until someone registers it. Such an entry has the id the locality will get when registered
(`locality_id`), `registered: false`, and sorts by the position of the first record naming it:
every position is unique, so one keyset cursor pages over both kinds of entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union_all

from domain.locality import locality_id
from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views.queries import Page, decode_cursor, encode_cursor
from infrastructure.views.read_models import VIEWS
from infrastructure.views.text_search import holds

LOCALITY, ISSUE, PLAN = VIEWS["locality"], VIEWS["issue"], VIEWS["dialogue_plan"]


def registered_entry(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "registered": True}


def named_entry(municipality: str, name: str, position: int) -> dict[str, Any]:
    """A locality known only by name, from an issue or a dialogue plan."""
    return {
        "id": locality_id(municipality, name),
        "version": 0,
        "position": position,
        "municipality": municipality,
        "status": "unregistered",
        "name": name,
        "kind": None,
        "population": None,
        "latitude": None,
        "longitude": None,
        "services": [],
        "registered": False,
        "created_at": None,
        "updated_at": None,
    }


def _scope(column: Any, actor: Actor, municipality: str | None) -> list[Any]:
    conditions = []
    if not actor.is_national:
        conditions.append(column == actor.municipality)
    if municipality is not None:
        conditions.append(column == municipality)
    return conditions


class LocalityRegister:
    """Pages over the register, newest first, as the other lists."""

    def __init__(self, events: EventStore) -> None:
        self.events = events

    def page(
        self,
        actor: Actor,
        municipality: str | None,
        text: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page:
        before = decode_cursor(cursor) if cursor is not None else None
        needle = (text or "").strip().casefold()
        with self.events.reading() as session:
            registered = self._registered(session, actor, municipality, needle, before, limit)
            named = self._named(session, actor, municipality, needle, before)
        entries = sorted(registered + named, key=lambda e: -int(e["position"]))[: limit + 1]
        more = len(entries) > limit
        entries = entries[:limit]
        return Page(entries, encode_cursor(entries[-1]["position"]) if more else None)

    def _registered(
        self,
        session: Any,
        actor: Actor,
        municipality: str | None,
        needle: str,
        before: int | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        t = LOCALITY
        query = select(t).where(*_scope(t.c.municipality, actor, municipality))
        if needle:
            query = query.where(holds(t.c.search_text, needle))
        if before is not None:
            query = query.where(t.c.position < before)
        query = query.order_by(t.c.position.desc()).limit(limit + 1)
        return [registered_entry(dict(r)) for r in session.execute(query).mappings()]

    def _named(
        self,
        session: Any,
        actor: Actor,
        municipality: str | None,
        needle: str,
        before: int | None,
    ) -> list[dict[str, Any]]:
        """Names on issues and plans with no registered locality: few, so filtered here."""
        names = union_all(
            select(ISSUE.c.municipality, ISSUE.c.locality.label("name"), ISSUE.c.position).where(
                *_scope(ISSUE.c.municipality, actor, municipality)
            ),
            select(PLAN.c.municipality, PLAN.c.locality.label("name"), PLAN.c.position).where(
                *_scope(PLAN.c.municipality, actor, municipality)
            ),
        ).subquery()
        query = select(names.c.municipality, names.c.name, func.min(names.c.position)).group_by(
            names.c.municipality, names.c.name
        )
        known = set(
            session.execute(
                select(LOCALITY.c.id).where(*_scope(LOCALITY.c.municipality, actor, municipality))
            ).scalars()
        )
        first: dict[Any, dict[str, Any]] = {}
        for code, name, position in session.execute(query):
            key = locality_id(code, name)
            if str(key) in known or (needle and needle not in name.casefold()):
                continue
            if before is not None and position >= before:
                continue
            if key not in first or position < first[key]["position"]:
                first[key] = named_entry(code, name.strip(), position)
        return list(first.values())
