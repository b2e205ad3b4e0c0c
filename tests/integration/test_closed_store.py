"""A closed store lets go of every database connection it opened, the key store's included.

The tamper suite opens and closes a store per Hypothesis example; with one connection left
behind each time, PostgreSQL refused new clients ("too many clients already") mid-suite.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from infrastructure.bootstrap import bootstrap
from tests.conftest import NO_POSTGRES, POSTGRES_URL, settings_for
from tests.integration.history import write_history

OTHER_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def connections() -> int:
    assert POSTGRES_URL is not None
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", "")) as connection:
        found = connection.execute(OTHER_CONNECTIONS).fetchone()
    assert found is not None
    return int(found[0])


@pytest.mark.postgres
def test_closing_a_store_closes_all_its_connections_to_postgresql(tmp_path: Path) -> None:
    closed = []  # kept alive: only `close`, not the garbage collector, may let go
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    before = connections()
    for n in range(3):
        service = bootstrap(settings_for("postgres", tmp_path / f"var{n}"))
        write_history(service)  # personal data: the key store opens its own connections
        service.close()
        closed.append(service)
    assert connections() <= before
