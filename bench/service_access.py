"""Service access (Ljusdal's rule): p50 of the query at 10,000 localities ÷ at 100 localities.

Two stores, seeded fast: real `Locality` aggregates (registered, a grocery recorded in every
fourth) turned into rows by the projector's own `record_row`, bulk-inserted into
`locality_view`. The query is the product's `ServiceAccess.report` for a caseworker of Ljusdal
(2161): every one of Ljusdal's localities with its nearest open grocery. Ljusdal has 100
localities in both stores; the large store holds 9,900 more in 99 other municipalities, as a
national register would. The read touches one municipality through the `(municipality,
latitude)` index, and the nearest search walks outwards in latitude instead of all pairs.
For context, the whole large register read with national scope is reported beside it.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import insert

from bench.common import ROUNDS, Figure, at_most, p50, say
from bench.product import running
from domain.locality import Locality
from domain.values import Actor, Provenance, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views.projections import record_row
from infrastructure.views.read_models import VIEWS
from infrastructure.views.service_access import ServiceAccess

SMALL, LARGE = 100, 10_000
PER_MUNICIPALITY = 100
LJUSDAL = "2161"
SAMPLES = 50
GOAL = 2.0
CASEWORKER = Actor(user_id="maria.berg", role=Role.CASEWORKER, municipality=LJUSDAL)
AUDITOR = Actor(user_id="revisor", role=Role.AUDITOR, municipality="*")


def measure(backend: str = "sqlite") -> Figure:
    with ExitStack() as stack:
        small = stack.enter_context(_seeded(backend, "access-small", SMALL))
        large = stack.enter_context(_seeded(backend, "access-large", LARGE))
        small_p50s, large_p50s = [], []
        for _ in range(ROUNDS):
            small_p50s.append(_p50(small, CASEWORKER))
            large_p50s.append(_p50(large, CASEWORKER))
        national = _p50(large, AUDITOR, samples=5)
    small_ms, large_ms = statistics.median(small_p50s), statistics.median(large_p50s)
    ratio = large_ms / small_ms
    goal, met = at_most(ratio, GOAL)
    return Figure(
        f"service access ({backend})",
        ratio,
        goal,
        met,
        product=f"p50 {large_ms:.2f} ms at {LARGE:,} localities",
        baseline=f"p50 {small_ms:.2f} ms at {SMALL:,} localities",
        notes=[
            f"one municipality's {PER_MUNICIPALITY} localities, nearest open grocery each;"
            " seeded via Locality.register + record_row, bulk insert",
            f"national scope over all {LARGE:,}: p50 {national:.1f} ms (context, no goal)",
        ],
    )


@contextmanager
def _seeded(backend: str, name: str, count: int) -> Iterator[Samverkan]:
    with running(backend, name) as samverkan:
        seed(samverkan, count)
        yield samverkan


def seed(samverkan: Samverkan, count: int) -> None:
    say(f"  seeding {count:,} locality rows through record_row")
    rng = random.Random(2161)
    rows = [_row(n, rng) for n in range(count)]
    with samverkan.events.transaction() as session:
        session.execute(insert(VIEWS["locality"]), rows)


def _row(n: int, rng: random.Random) -> dict[str, Any]:
    group = n // PER_MUNICIPALITY
    municipality = LJUSDAL if group == 0 else f"{3000 + group:04d}"
    by = Provenance(Actor("seed", Role.CASEWORKER, municipality), "seed", "seed")
    locality = Locality.register(
        municipality=municipality,
        name=f"Ort {n}",
        kind="by",
        population=rng.randint(20, 5000),
        latitude=61.5 + rng.random() * 1.2,
        longitude=14.5 + rng.random() * 2.5,
        by=by,
    )
    if n % 4 == 0:
        locality.record_service("groceries", f"Handlaren {n}", None, None, by)
    return {"position": n + 1, **record_row(locality)}


def _p50(samverkan: Samverkan, actor: Actor, samples: int = SAMPLES) -> float:
    access = ServiceAccess(samverkan.events)
    return p50(lambda: access.report(actor, None, "groceries", 30.0), samples)
