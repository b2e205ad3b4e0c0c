"""Service access (Ljusdal's rule): for each locality, the nearest open service of a kind.

Distances are great-circle (haversine, mean Earth radius). The search is bounded: candidates are
the localities of the same municipality that have an open service of the kind, sorted by
latitude once; from each locality the search walks outwards in latitude and stops as soon as
the latitude gap alone is longer than the best distance found, so no all-pairs scan happens.
The read touches one municipality's rows through the `(municipality, latitude)` index.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180
LOCALITY = VIEWS["locality"]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Place:
    id: str
    municipality: str
    name: str
    latitude: float
    longitude: float
    open_services: tuple[str, ...]  # names of its open services of the kind asked about


def nearest(
    place: Place, candidates: list[Place], latitudes: list[float]
) -> tuple[Place, float] | None:
    """The candidate nearest to `place`; `candidates` sorted by latitude, `latitudes` theirs."""
    if place.open_services:
        return place, 0.0
    best: tuple[Place, float] | None = None
    start = bisect_left(latitudes, place.latitude)
    for step in (-1, 1):
        i = start if step == 1 else start - 1
        while 0 <= i < len(candidates):
            candidate = candidates[i]
            gap = abs(candidate.latitude - place.latitude) * KM_PER_DEGREE_LATITUDE
            if best is not None and gap > best[1]:
                break  # every further candidate this way is at least this far
            km = haversine_km(
                place.latitude, place.longitude, candidate.latitude, candidate.longitude
            )
            if best is None or km < best[1]:
                best = (candidate, km)
            i += step
    return best


def access(places: list[Place], beyond_km: float) -> list[dict[str, Any]]:
    """Each place's nearest open service within its municipality, and whether it is too far."""
    by_municipality: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        by_municipality[place.municipality].append(place)
    items = []
    for group in by_municipality.values():
        candidates = sorted((p for p in group if p.open_services), key=lambda p: p.latitude)
        latitudes = [c.latitude for c in candidates]
        for place in group:
            found = nearest(place, candidates, latitudes)
            near = None
            if found is not None:
                where, km = found
                near = {
                    "locality_id": where.id,
                    "name": where.name,
                    "service_name": where.open_services[0],
                    "km": round(km, 1),
                }
            items.append(
                {
                    "locality_id": place.id,
                    "name": place.name,
                    "municipality": place.municipality,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                    "nearest": near,
                    "beyond": found is None or found[1] > beyond_km,
                }
            )
    return items


class ServiceAccess:
    def __init__(self, events: EventStore) -> None:
        self.events = events

    def report(
        self, actor: Actor, municipality: str | None, kind: str, beyond_km: float
    ) -> list[dict[str, Any]]:
        t = LOCALITY
        query = select(
            t.c.id, t.c.municipality, t.c.name, t.c.latitude, t.c.longitude, t.c.services
        ).order_by(t.c.municipality, t.c.latitude)
        if not actor.is_national:
            query = query.where(t.c.municipality == actor.municipality)
        if municipality is not None:
            query = query.where(t.c.municipality == municipality)
        with self.events.reading() as session:
            rows = session.execute(query).all()
        places = [
            Place(
                id=r.id,
                municipality=r.municipality,
                name=r.name,
                latitude=r.latitude,
                longitude=r.longitude,
                open_services=tuple(
                    s["name"] for s in r.services if s["status"] == "open" and s["kind"] == kind
                ),
            )
            for r in rows
        ]
        return access(places, beyond_km)
