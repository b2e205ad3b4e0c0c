"""Keeping SQLite's write-ahead log bounded while readers never pause.

SQLite restarts the WAL from its beginning only when a checkpoint has copied every frame back
and no reader still uses an older snapshot. Under steady load (lists, exports and the global
log read all the time) some reader nearly always does, so the automatic checkpoints never let
the WAL restart and it grows without end: 4 MB to 9 MB in seven minutes in `make soak-long`.
Every few hundred commits the guard looks at the WAL's size, and past the limit it runs a
TRUNCATE checkpoint, which holds new writers back for a moment while older readers finish.
"""

from __future__ import annotations

import threading
from pathlib import Path

import structlog
from sqlalchemy import Engine

from infrastructure.store.disk_full import reclaim_wal

logger = structlog.get_logger("samverkan.store")
WAL_LIMIT_BYTES = 8 * 2**20  # twice what the automatic checkpoint (1,000 pages) lets it reach
CHECK_EVERY = 200  # commits


class WalGuard:
    """Counts commits; every `CHECK_EVERY`, truncates a WAL grown past `WAL_LIMIT_BYTES`."""

    def __init__(self, engine: Engine, limit: int = WAL_LIMIT_BYTES) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.wal = Path(f"{database}-wal") if database and ":memory:" not in database else None
        self.engine, self.limit = engine, limit
        self.commits = 0
        self.lock = threading.Lock()

    def committed(self) -> None:
        if self.wal is None:
            return
        with self.lock:
            self.commits += 1
            due = self.commits % CHECK_EVERY == 0
        size = self._size() if due else 0
        if size > self.limit:
            done = reclaim_wal(self.engine)
            logger.info("wal checkpoint", wal_bytes=size, truncated=done)

    def _size(self) -> int:
        try:
            return self.wal.stat().st_size if self.wal is not None else 0
        except OSError:
            return 0
