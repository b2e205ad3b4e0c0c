"""Every SQLite connection of the store is set up the same way: durable, patient, bounded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.store.event_store import WAL_SIZE_LIMIT

PRAGMAS = {
    "synchronous": 2,  # FULL: a COMMIT is on disk before a 2xx
    "journal_mode": "wal",
    "busy_timeout": 30000,
    "journal_size_limit": WAL_SIZE_LIMIT,  # a checkpointed WAL shrinks back to this
}


def test_pooled_and_unpooled_connections_are_durable_and_keep_the_wal_bounded(
    tmp_path: Path,
) -> None:
    samverkan = bootstrap(Settings(var_dir=tmp_path, rate_limit="off"))
    try:
        engines = [samverkan.events.datastore.engine, samverkan.events.unpooled_engine()]
        for engine in engines:
            assert engine is not None
            with engine.connect() as connection:
                for pragma, expected in PRAGMAS.items():
                    assert connection.execute(text(f"PRAGMA {pragma}")).scalar() == expected
    finally:
        samverkan.close()
