"""Indicators over time (Ludvika): each outcome indicator's values per locality, with its
baseline and target. Retracted outcomes are left out; decimals stay strings, as recorded."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

OUTCOME, ISSUE = VIEWS["outcome"], VIEWS["issue"]


def indicator_series(
    events: EventStore,
    actor: Actor,
    municipality: str | None,
    locality: str | None,
    name: str | None,
) -> list[dict[str, Any]]:
    query = (
        select(
            OUTCOME.c.id,
            OUTCOME.c.issue_id,
            OUTCOME.c.municipality,
            OUTCOME.c.status,
            OUTCOME.c.observed_on,
            OUTCOME.c.indicators,
            ISSUE.c.locality,
        )
        .select_from(OUTCOME.join(ISSUE, ISSUE.c.id == OUTCOME.c.issue_id))
        .where(OUTCOME.c.status != "retracted")
        .order_by(OUTCOME.c.observed_on, OUTCOME.c.position)
    )
    if not actor.is_national:
        query = query.where(OUTCOME.c.municipality == actor.municipality)
    if municipality is not None:
        query = query.where(OUTCOME.c.municipality == municipality)
    if locality is not None:
        query = query.where(ISSUE.c.locality == locality)
    series: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    points: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    with events.reading() as session:
        rows = session.execute(query).all()
    for row in rows:
        for indicator in row.indicators:
            if name is not None and indicator["name"] != name:
                continue
            key = (row.municipality, row.locality, indicator["name"], indicator["unit"])
            entry = series.setdefault(
                key,
                {
                    "municipality": key[0],
                    "locality": key[1],
                    "name": key[2],
                    "unit": key[3],
                    "baseline": None,
                    "target": None,
                },
            )
            # the latest outcome that states a baseline or target sets it
            for field in ("baseline", "target"):
                if indicator.get(field) is not None:
                    entry[field] = indicator[field]
            points[key].append(
                {
                    "observed_on": row.observed_on,
                    "value": indicator["value"],
                    "outcome_id": row.id,
                    "issue_id": row.issue_id,
                    "status": row.status,
                }
            )
    return [{**series[key], "points": points[key]} for key in sorted(series)]
