"""The machine a run happened on, printed with every report."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version

from bench.common import POSTGRES_URL, plain_postgres

PACKAGES = (
    "eventsourcing",
    "eventsourcing-sqlalchemy",
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "uvicorn",
    "uvloop",
    "httptools",
    "psycopg",
)


def describe() -> list[str]:
    import sqlite3

    lines = [
        f"cpu: {_cpu_model()}, {os.cpu_count()} cores (wrk shares them with the server)",
        f"os: {platform.platform()}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        "packages: " + ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
        f"sqlite: {sqlite3.sqlite_version}; postgresql: {_postgres_version()}",
        f"wrk: {_wrk_version()}",
    ]
    return lines


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except Exception:
        return "?"


def _postgres_version() -> str:
    if POSTGRES_URL is None:
        return "not configured (set SAMVERKAN_BENCH_DATABASE_URL)"
    import psycopg

    with psycopg.connect(plain_postgres(POSTGRES_URL)) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def _wrk_version() -> str:
    try:
        result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    except FileNotFoundError:
        return "not installed"
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].strip() if lines else "?"
