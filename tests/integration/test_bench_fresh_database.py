"""`make bench` on a fresh machine: its PostgreSQL database is created before it is described.

The report starts with the machine's description, which asks PostgreSQL for its version over a
connection to the bench database. On a fresh machine that database does not exist yet; the run
used to stop there. This runs the real start of `python -m bench` against a database name that
does not exist, in its own process, as `make bench` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.conftest import NO_POSTGRES, POSTGRES_URL

pytestmark = pytest.mark.postgres


def _admin_url(url: str) -> str:
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return urlunsplit(urlsplit(plain)._replace(path="/postgres"))


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _exists(admin_url: str, name: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


@pytest.fixture
def fresh_database_url() -> Iterator[str]:
    """A URL naming a database that does not exist: the test database's name + `_fresh_bench`."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    parts = urlsplit(POSTGRES_URL)
    name = parts.path.lstrip("/") + "_fresh_bench"
    admin = _admin_url(POSTGRES_URL)
    _drop(admin, name)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    _drop(admin, name)


def test_the_bench_report_creates_its_database_before_describing_postgres(
    fresh_database_url: str,
) -> None:
    name = urlsplit(fresh_database_url).path.lstrip("/")
    admin = _admin_url(fresh_database_url)
    assert not _exists(admin, name)
    env = {**os.environ, "SAMVERKAN_BENCH_DATABASE_URL": fresh_database_url}
    script = "from bench.__main__ import machine; print(*machine(), sep='\\n')"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    postgres_line = next(line for line in result.stdout.splitlines() if "postgresql:" in line)
    assert postgres_line.split("postgresql: ", 1)[1][:1].isdigit(), postgres_line
    assert _exists(admin, name)
