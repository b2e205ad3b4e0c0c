"""HTTP figures under `wrk` (16 connections): the product against the echo baseline and the CRUD
peer, alternated round by round; and PostgreSQL scale-out, 2 workers against 1.

The product runs as deployed, `samverkan serve` (uvicorn, uvloop, httptools, 1 worker), with the
rate limit off and JSON logs; baselines run under uvicorn with the same flags.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from bench.common import POSTGRES_URL, ROUNDS, Figure, at_least, reset_postgres, scratch_dir
from bench.load import PYTHON, Load, free_port, serving, uvicorn_command, wrk_post
from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer

SECONDS = 5
SCALE_GOAL = 1.5


def token_for(var_dir: Path) -> str:
    return TokenIssuer(Settings(var_dir=var_dir)).issue("karin.berg", Role.CASEWORKER, "0561")


def product_run(var_dir: Path, database_url: str | None = None, workers: int = 1) -> Load:
    port = free_port()
    env = {
        "SAMVERKAN_VAR_DIR": str(var_dir),
        "SAMVERKAN_RATE_LIMIT": "off",
        "SAMVERKAN_LOG_FORMAT": "json",
        "SAMVERKAN_DATABASE_URL": database_url or "",
    }
    command = [
        PYTHON,
        "-m",
        "interfaces.cli.main",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with serving(command, env, port) as url:
        return wrk_post(url, token_for(var_dir), SECONDS, var_dir)


def baseline_run(app: str, var_dir: Path) -> Load:
    port = free_port()
    env = {"BENCH_PEER_VAR_DIR": str(var_dir)}
    with serving(uvicorn_command(app, port), env, port) as url:
        return wrk_post(url, token_for(var_dir), SECONDS, var_dir)


def measure_http() -> list[Figure]:
    """Echo, product and CRUD peer in turns; one product run serves both ratios of its round."""
    runs: dict[str, list[Load]] = {"echo": [], "product": [], "peer": []}
    with scratch_dir("http") as directory:
        for n in range(ROUNDS):
            for name, run in _contenders(directory, n).items():
                runs[name].append(run())
    echo, product, peer = (_median(runs[k]) for k in ("echo", "product", "peer"))
    answers = _answers(runs)
    return [
        _ratio("HTTP command efficiency", product, echo, 0.5, "echo", answers, runs),
        _ratio("against the CRUD peer", product, peer, 1.0, "CRUD peer", answers, runs),
    ]


def _contenders(directory: Path, n: int) -> dict[str, Callable[[], Load]]:
    product_dir, peer_dir = directory / f"product{n}", directory / f"peer{n}"
    return {
        "echo": lambda: baseline_run("bench.echo_app:app", directory),
        "product": lambda: product_run(product_dir),
        "peer": lambda: baseline_run("bench.crud_peer:app", peer_dir),
    }


def measure_scale_out() -> Figure:
    name = "scale-out (postgres, 2 workers / 1)"
    if POSTGRES_URL is None:
        return Figure(name, None, "report", None, notes=["skipped: no PostgreSQL"])
    one, two = [], []
    with scratch_dir("scale") as var_dir:
        for _ in range(ROUNDS):
            reset_postgres(POSTGRES_URL)
            one.append(product_run(var_dir, POSTGRES_URL, workers=1))
            reset_postgres(POSTGRES_URL)
            two.append(product_run(var_dir, POSTGRES_URL, workers=2))
    ratio = _median(two) / _median(one)
    unclean = sum(r.not_2xx + r.socket_errors for r in one + two)
    return Figure(
        name,
        ratio,
        f">= {SCALE_GOAL} with a separate load core; here: report",
        None,
        product=f"{_median(two):,.0f} req/s with 2 workers",
        baseline=f"{_median(one):,.0f} req/s with 1 worker",
        notes=[f"wrk shares the same {_cores()} cores; non-2xx or failed: {unclean}"],
    )


def _ratio(
    name: str,
    product: float,
    baseline: float,
    goal: float,
    label: str,
    answers: str,
    runs: dict[str, list[Load]],
) -> Figure:
    ratio = product / baseline
    text, met = at_least(ratio, goal)
    key = "echo" if label == "echo" else "peer"
    rounds = ", ".join(
        f"({b.rps:,.0f}, {p.rps:,.0f})" for b, p in zip(runs[key], runs["product"], strict=True)
    )
    clean = all(r.clean for r in runs["product"] + runs[key])
    return Figure(
        name,
        ratio,
        text + ", every answer 2xx",
        met and clean,
        product=f"{product:,.0f} req/s",
        baseline=f"{baseline:,.0f} req/s ({label})",
        notes=[answers, f"rounds ({label}, product): {rounds}", _cpu(runs, key)],
    )


def _cpu(runs: dict[str, list[Load]], key: str) -> str:
    """Server CPU (user + system) per request: a figure the shared machine's load skews less."""
    product, baseline = (
        statistics.median(r.cpu_ms_per_request for r in runs[k]) for k in ("product", key)
    )
    return f"server CPU per request (median): product {product:.2f} ms, {key} {baseline:.2f} ms"


def _answers(runs: dict[str, list[Load]]) -> str:
    parts = []
    for name, loads in runs.items():
        bad = sum(r.not_2xx for r in loads)
        failed = sum(r.socket_errors for r in loads)
        parts.append(
            f"{name}: {sum(r.requests for r in loads):,} requests, {bad} non-2xx, "
            f"{failed} socket errors"
        )
    return "; ".join(parts)


def _median(loads: list[Load]) -> float:
    return statistics.median(r.rps for r in loads)


def _cores() -> int:
    import os

    return os.cpu_count() or 0
