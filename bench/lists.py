"""List queries: p50 of a filtered, paginated issue list at 100,000 issues ÷ at 1,000 issues.

Two stores, seeded fast: real `Issue` aggregates (opened with `Issue.open`, as the handler does)
turned into rows by the projector's own `record_row`, bulk-inserted into `issue_view` in batches.
No events are written: the list reads only the view. The query is the product's
`RecordQueries.page` for a caseworker in Åtvidaberg, filtered by status, category and locality,
50 a page: the first page, then the page after its cursor. Small and large alternate.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import insert

from bench.common import ROUNDS, Figure, at_most, p50, say
from bench.product import CASEWORKER, issue_body, running
from domain.issue import Issue
from domain.values import Provenance
from infrastructure.bootstrap import Samverkan
from infrastructure.views.projections import record_row
from infrastructure.views.queries import RecordQueries
from infrastructure.views.read_models import VIEWS

SMALL, LARGE = 1_000, 100_000
BATCH = 5_000
SAMPLES = 100
GOAL = 2.0
CATEGORIES = ("groceries", "transport", "healthcare", "schools", "broadband")
MUNICIPALITIES = ("0561", "0563", "0580")  # Åtvidaberg, Valdemarsvik, Linköping


def measure(backend: str = "sqlite") -> Figure:
    """SQLite: two store files side by side, so small and large can alternate in one run."""
    with ExitStack() as stack:
        small = stack.enter_context(seeded(backend, "lists-small", SMALL))
        large = stack.enter_context(seeded(backend, "lists-large", LARGE))
        small_p50s, large_p50s = [], []
        for _ in range(ROUNDS):
            small_p50s.append(_p50(small))
            large_p50s.append(_p50(large))
    small_ms, large_ms = statistics.median(small_p50s), statistics.median(large_p50s)
    ratio = large_ms / small_ms
    goal, met = at_most(ratio, GOAL)
    return Figure(
        f"list queries ({backend})",
        ratio,
        goal,
        met,
        product=f"p50 {large_ms:.2f} ms at {LARGE:,} issues",
        baseline=f"p50 {small_ms:.2f} ms at {SMALL:,} issues",
        notes=[
            "two pages (first, then after its cursor), status+category+locality filter;"
            " seeded via Issue.open + record_row, bulk insert"
        ],
    )


@contextmanager
def seeded(backend: str, name: str, count: int) -> Iterator[Samverkan]:
    with running(backend, name) as samverkan:
        seed(samverkan, count)
        yield samverkan


def seed(samverkan: Samverkan, count: int) -> None:
    say(f"  seeding {count:,} issue rows through record_row")
    by = Provenance(CASEWORKER, "seed", "seed")
    table = VIEWS["issue"]
    for start in range(0, count, BATCH):
        rows = [_row(n, by) for n in range(start, min(count, start + BATCH))]
        with samverkan.events.transaction() as session:
            session.execute(insert(table), rows)


def _row(n: int, by: Provenance) -> dict[str, Any]:
    fields = issue_body(n)
    fields["municipality"] = MUNICIPALITIES[n % len(MUNICIPALITIES)]
    fields["category"] = CATEGORIES[n % len(CATEGORIES)]
    issue = Issue.open(by=by, parent_id=None, **fields)
    return {"position": n + 1, **record_row(issue)}


def _p50(samverkan: Samverkan) -> float:
    queries = RecordQueries(samverkan.events, samverkan.policy)
    filters = {"status": "open", "category": "groceries", "locality": "Falerum"}

    def two_pages() -> None:
        first = queries.page("issue", CASEWORKER, dict(filters), 50, None)
        queries.page("issue", CASEWORKER, dict(filters), 50, first.next_cursor)

    return p50(two_pages, SAMPLES)
