"""What every benchmark shares: alternating rounds, medians, scratch stores and the report line."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCRATCH = Path(
    os.environ.get("BENCH_DIR", Path(__file__).resolve().parent.parent / "var" / "bench")
)
# PostgreSQL figures run only against a database named here; its `public` schema is DROPPED.
POSTGRES_URL = os.environ.get("SAMVERKAN_BENCH_DATABASE_URL")
_DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - the product's logs go here for the whole run


@dataclass
class Figure:
    """One ratio from quality.md, with the two numbers it is made of."""

    name: str
    ratio: float | None
    goal: str
    met: bool | None
    product: str = ""
    baseline: str = ""
    notes: list[str] = field(default_factory=list)


def at_least(value: float, goal: float) -> tuple[str, bool]:
    return f">= {goal}", value >= goal


def at_most(value: float, goal: float) -> tuple[str, bool]:
    return f"<= {goal}", value <= goal


def alternate(
    rounds: int, baseline: Callable[[], float], product: Callable[[], float]
) -> tuple[float, float, list[tuple[float, float]]]:
    """Run baseline and product in turns, `rounds` times; medians of each, plus every pair."""
    pairs = []
    for _ in range(rounds):
        pairs.append((baseline(), product()))
    return (
        statistics.median(b for b, _ in pairs),
        statistics.median(p for _, p in pairs),
        pairs,
    )


def rate(work: Callable[[], Any], seconds: float) -> float:
    """Calls per second of `work`, called repeatedly for about `seconds`."""
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        work()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def concurrent_rate(work: Callable[[], Any], seconds: float, callers: int) -> float:
    """Calls per second of `work`, called by `callers` threads at once for about `seconds`."""
    counts = [0] * callers
    deadline = time.perf_counter() + seconds

    def call(slot: int) -> None:
        while time.perf_counter() < deadline:
            work()
            counts[slot] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=call, args=(slot,)) for slot in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def p50(work: Callable[[], Any], samples: int) -> float:
    """The median wall time of `work`, in milliseconds."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextmanager
def scratch_dir(name: str) -> Iterator[Path]:
    """A directory on the real disk (not tmpfs), so fsync costs what it costs in production."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=SCRATCH) as path:
        yield Path(path)


def reset_postgres(url: str) -> None:
    create_database_if_missing(url)
    with psycopg.connect(plain_postgres(url), autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def create_database_if_missing(url: str) -> None:
    """Creates the database a URL names, through the server's `postgres` database."""
    parts = urlsplit(plain_postgres(url))
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def plain_postgres(url: str) -> str:
    """A libpq URL from a SQLAlchemy one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The product logs as in production (JSON lines on stderr), but into /dev/null."""
    from infrastructure.logging import configure_logging
    from infrastructure.settings import Settings

    saved = sys.stderr
    sys.stderr = _DEVNULL
    try:
        configure_logging(Settings(log_format="json"))
    finally:
        sys.stderr = saved
    yield


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
