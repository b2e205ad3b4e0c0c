"""Store efficiency: in-process command bus commands/s ÷ raw driver transactions/s.

The product opens a new issue per command through `bus.dispatch` (validation, authorisation,
event, hash chain, inline projection, logs), one thread, one command at a time: the same shape
as the raw baseline, which writes one two-row transaction at a time over one connection.
"""

from __future__ import annotations

import itertools

from bench.common import POSTGRES_URL, ROUNDS, Figure, alternate, at_least, rate, scratch_dir
from bench.product import available, open_issue, running
from bench.raw_driver import postgres_writer, sqlite_writer

SECONDS = 3.0
GOAL = 0.5


def measure(backend: str) -> Figure:
    name = f"store efficiency ({backend})"
    if not available(backend):
        return Figure(name, None, f">= {GOAL}", None, notes=["skipped: no PostgreSQL"])
    counter = itertools.count()
    with scratch_dir("raw") as raw_dir, running(backend, "store") as samverkan:
        writer = (
            sqlite_writer(raw_dir) if backend == "sqlite" else postgres_writer(POSTGRES_URL or "")
        )
        with writer as write:
            write()
            open_issue(samverkan)  # warm up: imports, caches, connections
            raw, product, pairs = alternate(
                ROUNDS,
                lambda: rate(write, SECONDS),
                lambda: rate(lambda: open_issue(samverkan, next(counter)), SECONDS),
            )
    ratio = product / raw
    goal, met = at_least(ratio, GOAL)
    return Figure(
        name,
        ratio,
        goal,
        met,
        product=f"{product:,.0f} commands/s",
        baseline=f"{raw:,.0f} raw tx/s",
        notes=[_rounds(pairs)],
    )


def _rounds(pairs: list[tuple[float, float]]) -> str:
    return "rounds (raw, product): " + ", ".join(f"({b:,.0f}, {p:,.0f})" for b, p in pairs)
