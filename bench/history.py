"""History independence: p50 of a command on an issue with 10,000 prior events ÷ on a fresh issue.

The command is AddNote through `bus.dispatch`. The long issue is built by dispatching 10,000
AddNote commands (the real path, snapshots included); each fresh-issue sample opens a new issue
first (not timed). Fresh and long samples alternate in rounds.
"""

from __future__ import annotations

import statistics
import time
from uuid import UUID

from bench.common import ROUNDS, Figure, at_most, say
from bench.product import add_note, open_issue, running
from infrastructure.bootstrap import Samverkan

PRIOR_EVENTS = 10_000
SAMPLES = 200
GOAL = 1.5


def measure(backend: str = "sqlite") -> Figure:
    with running(backend, "history") as samverkan:
        long_issue = open_issue(samverkan).id
        say(f"  seeding {PRIOR_EVENTS:,} events on one issue by dispatching AddNote")
        for _ in range(PRIOR_EVENTS - 1):
            add_note(samverkan, long_issue)
        fresh_times: list[float] = []
        long_times: list[float] = []
        for _ in range(ROUNDS):
            for _ in range(SAMPLES):
                fresh = open_issue(samverkan).id
                fresh_times.append(_timed(samverkan, fresh))
                long_times.append(_timed(samverkan, long_issue))
    fresh_p50, long_p50 = statistics.median(fresh_times), statistics.median(long_times)
    ratio = long_p50 / fresh_p50
    goal, met = at_most(ratio, GOAL)
    return Figure(
        f"history independence ({backend})",
        ratio,
        goal,
        met,
        product=f"p50 {long_p50:.2f} ms at {PRIOR_EVENTS:,} prior events",
        baseline=f"p50 {fresh_p50:.2f} ms on a fresh issue",
        notes=[f"{len(long_times)} samples each, interleaved"],
    )


def _timed(samverkan: Samverkan, issue_id: UUID) -> float:
    started = time.perf_counter()
    add_note(samverkan, issue_id)
    return (time.perf_counter() - started) * 1000
