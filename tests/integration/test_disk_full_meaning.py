"""What a full disk means to a command: StorageFullError (507), never "cannot be reached".

The errors are the drivers' own exception classes, as they reach the unit of work wrapped by
SQLAlchemy; the tmpfs soak test (`tests/soak/test_disk_full.py`) fills a real disk.
"""

from __future__ import annotations

import sqlite3

import psycopg.errors
import sqlalchemy.exc as sa

from application.errors import StorageFullError, StoreUnavailableError
from infrastructure.store.unit_of_work import meaning_of


def sqlite_error(message: str, code: int) -> sa.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return sa.OperationalError("INSERT INTO samverkan_events ...", {}, error)


def test_sqlite_full_is_storage_full() -> None:
    assert isinstance(meaning_of(sqlite_error("database or disk is full", 13)), StorageFullError)


def test_sqlite_disk_io_error_while_the_wal_grows_is_storage_full() -> None:
    ioerr_write = 10 | (3 << 8)  # SQLITE_IOERR_WRITE, an extended code
    assert isinstance(meaning_of(sqlite_error("disk I/O error", ioerr_write)), StorageFullError)


def test_postgres_disk_full_is_storage_full() -> None:
    error = sa.OperationalError("INSERT ...", {}, psycopg.errors.DiskFull("No space left"))
    assert isinstance(meaning_of(error), StorageFullError)


def test_an_unreachable_database_is_still_unavailable() -> None:
    error = sa.OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open"))
    assert isinstance(meaning_of(error), StoreUnavailableError)
