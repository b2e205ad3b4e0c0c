"""Telling a full disk apart from a database that cannot be reached.

SQLite says "database or disk is full" (SQLITE_FULL), or "disk I/O error" (SQLITE_IOERR) when
its write-ahead log cannot grow; PostgreSQL answers SQLSTATE 53100 (disk_full). Either way the
transaction is rolled back whole, and the next one succeeds once space returns.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine

from infrastructure.settings import Settings

SQLITE_IOERR, SQLITE_FULL = 10, 13
DISK_FULL_SQLSTATE = "53100"


def is_disk_full(error: BaseException) -> bool:
    """Whether `error`, or an error it wraps, says the store's disk is full."""
    seen: BaseException | None = error
    for _ in range(8):  # a chain of causes, never a cycle
        if seen is None:
            return False
        original = getattr(seen, "orig", None) or seen
        if isinstance(original, sqlite3.Error):
            code = (
                getattr(original, "sqlite_errorcode", 0) & 0xFF
            )  # primary code of an extended one
            if code in (SQLITE_FULL, SQLITE_IOERR):
                return True
        if getattr(original, "sqlstate", None) == DISK_FULL_SQLSTATE:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def disk_of(settings: Settings) -> str:
    """What an operator must free space on, as the 507 answer names it."""
    if settings.is_sqlite:
        path = settings.store_url.removeprefix("sqlite:///").split("?", 1)[0]
        return str(Path(path).parent)
    return "the PostgreSQL database"


_reclaiming = threading.Lock()


def reclaim_wal(engine: Engine) -> bool:
    """Give a SQLite WAL's space back: checkpoint it into the database and truncate it.

    On a nearly full disk the WAL cannot grow to its automatic checkpoint (1,000 pages), so it
    would keep every frame written since the last one. Best effort and brief: it gives up at
    once if a reader holds an old snapshot, and never blocks a request for long.
    """
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return False
    if not _reclaiming.acquire(blocking=False):
        return False  # another thread is at it
    try:
        with contextlib.closing(sqlite3.connect(engine.url.database, timeout=0.5)) as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    except sqlite3.Error:
        return False  # still full, or readers held on: the next try may do it
    finally:
        _reclaiming.release()
