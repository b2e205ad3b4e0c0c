"""Store efficiency: in-process command bus commands/s ÷ raw driver transactions/s.

The product opens a new issue per command through `bus.dispatch` (validation, authorisation,
event, hash chain, inline projection, logs). It is measured twice against the same raw
baseline, which writes one two-row transaction at a time over one connection: with one caller
(the same shape as the baseline), and with 16 concurrent callers, where group commit lets
commands share one durable commit (as the HTTP API's threadpool does under load).
"""

from __future__ import annotations

import itertools

from bench.common import (
    POSTGRES_URL,
    ROUNDS,
    Figure,
    alternate,
    at_least,
    concurrent_rate,
    rate,
    scratch_dir,
)
from bench.product import available, open_issue, running
from bench.raw_driver import postgres_writer, sqlite_writer

SECONDS = 3.0
GOAL = 0.5
CALLERS = 16


def measure(backend: str, callers: int = 1) -> Figure:
    name = f"store efficiency ({backend}, {callers} caller{'s' if callers > 1 else ''})"
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
                lambda: _product_rate(samverkan, counter, callers),
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


def _product_rate(samverkan: object, counter: itertools.count[int], callers: int) -> float:
    def command() -> None:
        open_issue(samverkan, next(counter))  # type: ignore[arg-type]

    return rate(command, SECONDS) if callers == 1 else concurrent_rate(command, SECONDS, callers)


def _rounds(pairs: list[tuple[float, float]]) -> str:
    return "rounds (raw, product): " + ", ".join(f"({b:,.0f}, {p:,.0f})" for b, p in pairs)
