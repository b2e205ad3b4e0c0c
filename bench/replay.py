"""Replay: events/s of `infrastructure.views.replay.rebuild` into fresh views ÷ raw SELECT + decode.

The log is seeded through the bus (issues with notes and task forces, so several views fill).
The baseline reads the same rows with one plain SELECT and decodes each with
`events.mapper.to_domain_event`; the product rebuilds every read model from them.
"""

from __future__ import annotations

import time
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import text

from bench.common import ROUNDS, Figure, alternate, at_least, say
from bench.product import add_note, open_issue, running
from infrastructure.bootstrap import Samverkan
from infrastructure.views.replay import fresh_views, rebuild

RAW_SELECT = (
    "SELECT originator_id, originator_version, topic, state FROM samverkan_events ORDER BY id"
)
ISSUES = 1_000
NOTES_PER_ISSUE = 4
GOAL = 0.3


def measure(backend: str = "sqlite") -> Figure:
    with running(backend, "replay") as samverkan:
        say(f"  seeding {ISSUES * (NOTES_PER_ISSUE + 1):,} events by dispatching commands")
        seed(samverkan, ISSUES)
        raw, product, pairs = alternate(
            ROUNDS, lambda: _raw_rate(samverkan), lambda: _rebuild_rate(samverkan)
        )
    ratio = product / raw
    goal, met = at_least(ratio, GOAL)
    return Figure(
        f"replay ({backend})",
        ratio,
        goal,
        met,
        product=f"{product:,.0f} events/s rebuilt",
        baseline=f"{raw:,.0f} events/s SELECT+decode",
        notes=["rounds (raw, rebuild): " + ", ".join(f"({b:,.0f}, {p:,.0f})" for b, p in pairs)],
    )


def seed(samverkan: Samverkan, issues: int) -> None:
    """Issues with notes, through the bus, in one transaction: the log is what commands write,
    without waiting for thousands of durable COMMITs (a minute and more on a busy PostgreSQL)."""
    with samverkan.events.transaction():
        for n in range(issues):
            issue = open_issue(samverkan, n).id
            for _ in range(NOTES_PER_ISSUE):
                add_note(samverkan, issue)


def _raw_rate(samverkan: Samverkan) -> float:
    """One plain SELECT of the log, each row decoded to its domain event."""
    events = samverkan.events
    started = time.perf_counter()
    with events.datastore.engine.connect() as connection:
        rows = connection.execute(text(RAW_SELECT)).all()
    count = 0
    for row in rows:
        stored = StoredEvent(_uuid(row[0]), row[1], row[2], bytes(row[3]))
        events.mapper.to_domain_event(stored)
        count += 1
    return count / (time.perf_counter() - started)


def _uuid(value: object) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | memoryview) and len(value) == 16:  # SQLite keeps raw bytes
        return UUID(bytes=bytes(value))
    return UUID(str(value))


def _rebuild_rate(samverkan: Samverkan) -> float:
    views = fresh_views(samverkan.events, "_bench")
    started = time.perf_counter()
    count = rebuild(samverkan.events, views)
    return count / (time.perf_counter() - started)
