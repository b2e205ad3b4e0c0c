"""Server workers starting at once on a fresh PostgreSQL store: every one starts and serves.

Each service below stands in for a worker process: its own engines, pools and key store. They
open the store at the same moment, and then take their first commands at the same moment, which
is when each opens its key store. Creating a table that another worker is creating must not fail
either of them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.store.keystore import KeyStore
from tests.conftest import POSTGRES_URL, reset_postgres, settings_for
from tests.integration.test_registration_numbers import context, expected, numbers, opening

WORKERS = 6
ROUNDS = 3

pytestmark = pytest.mark.postgres


def at_once(count: int, work):  # type: ignore[no-untyped-def]
    start = threading.Barrier(count)

    def run(index: int):  # type: ignore[no-untyped-def]
        start.wait()
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_workers_opening_a_fresh_store_at_once_all_start_and_serve(
    tmp_path: Path, round_: int
) -> None:
    settings = settings_for("postgres", tmp_path / "var")  # an empty database
    bootstrap(settings).close()  # the var dir's keys, as `serve` makes them before its workers
    reset_postgres(str(POSTGRES_URL))
    services: list[Samverkan] = at_once(WORKERS, lambda _: bootstrap(settings))
    try:
        at_once(
            WORKERS,
            lambda index: services[index].bus.dispatch(opening(f"Servicepunkt {index}"), context()),
        )
        assert numbers(services[0]) == expected(WORKERS)
    finally:
        for service in services:
            service.close()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_key_stores_opened_at_once_on_a_fresh_database_all_open(
    tmp_path: Path, round_: int
) -> None:
    """A worker opens its key store at its first command: on a fresh database, at the moment
    the other workers open theirs."""
    settings_for("postgres", tmp_path)  # an empty database
    key_stores = [KeyStore(str(POSTGRES_URL), tmp_path) for _ in range(WORKERS)]
    try:
        at_once(WORKERS, lambda index: key_stores[index].make(1))
        with key_stores[0].engine().connect() as connection:
            made = connection.execute(text("SELECT count(*) FROM samverkan_keys.data_key"))
            assert made.scalar_one() == WORKERS
    finally:
        for key_store in key_stores:
            key_store.close()
