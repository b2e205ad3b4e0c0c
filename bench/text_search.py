"""Text search: p50 of a `q` search with no match at 100,000 issues ÷ at 1,000 issues.

The stores are seeded as the list-queries figure seeds them (`lists.seed`: real `Issue`
aggregates turned into view rows by `record_row`, bulk-inserted into `issue_view`). The query
is the product's `RecordQueries.page` for a caseworker in Åtvidaberg with only `q`, a text
that no issue holds: without an index that reads every issue in scope, so it grows with the
store. A search that finds issues is reported beside it for context. Small and large alternate.
"""

from __future__ import annotations

import statistics
from contextlib import ExitStack

from bench.common import ROUNDS, Figure, at_most, p50
from bench.lists import LARGE, SMALL, seeded
from bench.product import CASEWORKER
from infrastructure.bootstrap import Samverkan
from infrastructure.views.queries import RecordQueries

SAMPLES = 100
GOAL = 2.0
NO_MATCH = "vindkraftspark"  # in no seeded title, description or locality
MATCH = "dagligvarubutiken"  # in every seeded description


def measure(backend: str = "sqlite") -> Figure:
    with ExitStack() as stack:
        small = stack.enter_context(seeded(backend, "search-small", SMALL))
        large = stack.enter_context(seeded(backend, "search-large", LARGE))
        small_p50s, large_p50s, found_p50s = [], [], []
        for _ in range(ROUNDS):
            small_p50s.append(_p50(small, NO_MATCH))
            large_p50s.append(_p50(large, NO_MATCH))
            found_p50s.append(_p50(large, MATCH))
    small_ms, large_ms = statistics.median(small_p50s), statistics.median(large_p50s)
    ratio = large_ms / small_ms
    goal, met = at_most(ratio, GOAL)
    return Figure(
        f"text search ({backend})",
        ratio,
        goal,
        met,
        product=f"p50 {large_ms:.2f} ms at {LARGE:,} issues",
        baseline=f"p50 {small_ms:.2f} ms at {SMALL:,} issues",
        notes=[
            f"q={NO_MATCH!r} (no match), first page of 50, caseworker scope;"
            f" for context, q={MATCH!r} (every issue matches) at {LARGE:,}:"
            f" p50 {statistics.median(found_p50s):.2f} ms"
        ],
    )


def _p50(samverkan: Samverkan, text: str) -> float:
    queries = RecordQueries(samverkan.events, samverkan.policy)
    return p50(lambda: queries.page("issue", CASEWORKER, {}, 50, None, text=text), SAMPLES)
