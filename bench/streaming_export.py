"""Streaming export: peak RSS exporting a timeline of 100,000 events ÷ of 1,000 events (≤ 1.3).

Two SQLite stores are seeded through the product's own projector (`Projector.project`, the
code the live path and replay run) from real aggregates: per issue one `Opened`, one task
force `Formed` and 98 public dialogue notes over two years, so 100 events an issue, 10 issues
against 1,000. No events are written to the log: the export reads only the views.

Each export runs in a fresh process, so its peak RSS (`ru_maxrss`) is its own: the process
builds the app as `samverkan serve` does and drives `GET /api/v1/exports/timeline` through the
ASGI stack (middleware, StreamingResponse) as an evaluator with national scope, discarding
the body as a client would receive it. The figure is the worst ratio over the four formats.

    python -m bench.streaming_export        # prints the figures as JSON
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.common import say
from bench.product import CASEWORKER, issue_body, running

SMALL, LARGE = 1_000, 100_000
EVENTS_PER_ISSUE = 100
GOAL = 1.3
FORMATS = ("json", "csv", "ics", "html")
# Peak RSS barely varies between runs, and each export is a process start: one round by default.
ROUNDS = int(os.environ.get("BENCH_EXPORT_ROUNDS", "1"))
ROOT = Path(__file__).resolve().parent.parent


def measure() -> dict[str, Any]:
    """Peak RSS of each export at both sizes, alternating, and the worst large ÷ small ratio."""
    with ExitStack() as stack:
        small = stack.enter_context(_seeded("export-small", SMALL))
        large = stack.enter_context(_seeded("export-large", LARGE))
        peaks: dict[tuple[str, str], list[int]] = {}
        sizes: dict[tuple[str, str], int] = {}
        for _ in range(max(1, ROUNDS)):
            for fmt in FORMATS:
                for size, var_dir in (("small", small), ("large", large)):
                    found = _child(var_dir, fmt)
                    peaks.setdefault((fmt, size), []).append(found["peak_kb"])
                    sizes[(fmt, size)] = found["bytes"]
    result: dict[str, Any] = {"goal": f"<= {GOAL}"}
    ratios = {}
    for fmt in FORMATS:
        small_kb = statistics.median(peaks[(fmt, "small")])
        large_kb = statistics.median(peaks[(fmt, "large")])
        ratios[fmt] = large_kb / small_kb
        result[fmt] = (
            f"{large_kb / 1024:.1f} MiB peak for {sizes[(fmt, 'large')] / 2**20:.1f} MiB out at "
            f"{LARGE:,} events ÷ {small_kb / 1024:.1f} MiB peak at {SMALL:,} = {ratios[fmt]:.3f}"
        )
    result["ratio"] = round(max(ratios.values()), 3)
    return result


@contextmanager
def _seeded(name: str, events: int) -> Iterator[Path]:
    with running("sqlite", name) as samverkan:
        seed(samverkan, events // EVENTS_PER_ISSUE)
        yield samverkan.settings.var_dir


def seed(samverkan: Any, issues: int) -> None:
    """`issues` issues of 100 events each, projected by the product's own projector."""
    from domain.issue import Issue
    from domain.task_force import TaskForce
    from domain.values import Provenance
    from infrastructure.views.projections import Projector

    say(f"  seeding {issues * EVENTS_PER_ISSUE:,} timeline events ({issues:,} issues)")
    by = Provenance(CASEWORKER, "seed", "seed")
    projector, position, start = Projector(), 0, date(2024, 1, 1)
    for n in range(issues):
        issue = Issue.open(by=by, parent_id=None, **issue_body(n))
        lead = {"display_name": "Karin Berg", "organisation": "Åtvidabergs kommun", "role": "lots"}
        task_force = TaskForce.form(
            issue_id=issue.id,
            municipality=issue.municipality,
            name=f"Insatsstyrka Falerum {n}",
            mandate="Ta fram en servicepunkt.",
            due_on=start + timedelta(days=800),
            lead=lead,
            today=start,
            by=by,
        )
        for k in range(EVENTS_PER_ISSUE - 2):
            day = start + timedelta(days=(n * 7 + k * 13) % 730)
            issue.add_note("meeting", f"Möte i bygdegården ({k})", day, True, by)
        pending = [*issue.collect_events(), *task_force.collect_events()]
        numbered = [(event, position + i + 1) for i, event in enumerate(pending)]
        created: dict[UUID, int] = {issue.id: position + 1, task_force.id: position + len(pending)}
        position += len(pending)
        with samverkan.events.transaction() as session:
            projector.project(
                session, numbered, {issue.id: issue, task_force.id: task_force}, created
            )


def _child(var_dir: Path, fmt: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.streaming_export", "--child", str(var_dir), fmt]
    env = {**os.environ, "SAMVERKAN_LOG_FORMAT": "json"}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"export of {fmt} failed: {done.stderr[-2000:]}")
    found = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    if found["status"] != 200:
        raise RuntimeError(f"export of {fmt} answered {found['status']}")
    return found


def export_once(var_dir: Path, fmt: str) -> dict[str, Any]:
    """In a fresh process: one export through the ASGI app; its size and this process's peak."""
    from domain.values import Role
    from infrastructure.settings import Settings
    from infrastructure.tokens import TokenIssuer
    from interfaces.http.app import create_app

    settings = Settings(var_dir=var_dir, rate_limit="off", log_format="json")
    token = TokenIssuer(settings).issue("forskare.1", Role.EVALUATOR, "*")
    app = create_app(settings=settings)
    status, size = asyncio.run(_get(app, f"format={fmt}", token))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"format": fmt, "status": status, "bytes": size, "peak_kb": peak_kb}


async def _get(app: Any, query: str, token: str) -> tuple[int, int]:
    """A minimal ASGI client that counts the body and keeps none of it."""
    finished = asyncio.Event()
    status, size, sent = 0, 0, False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                finished.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/exports/timeline",
        "raw_path": b"/api/v1/exports/timeline",
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {token}".encode()), (b"host", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status, size


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(export_once(Path(argv[1]), argv[2])))
        return 0
    print(json.dumps(measure(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
