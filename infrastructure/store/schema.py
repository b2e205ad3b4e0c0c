"""Opening a store, and creating what it lacks, safely when several processes start at once.

`create_all(checkfirst=True)` looks, then creates: two processes opening a fresh PostgreSQL
store together both see a table missing, and the second CREATE fails ("already exists"). Every
table, index and schema Samverkan makes at start-up is made here instead, in one transaction
that first takes a transaction-scoped advisory lock: the processes take turns, and each one
looks only after the one before it has committed. A SQLite store is opened by one process
(`serve` refuses a second worker), so it takes no lock.

Opening a store does more than create tables: it rebuilds views whose definition changed and
numbers an earlier release's issues. `opening_alone` makes the processes that start together on
one PostgreSQL store do that one after the other: the first does the work, and the rest find the
store ready.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, Index, MetaData, Table, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateSchema


def lock_key(name: str) -> int:
    """The 64-bit key of the PostgreSQL advisory lock called `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


SCHEMA_LOCK = lock_key("samverkan.schema")
OPENING_LOCK = lock_key("samverkan.opening")  # another key: an opening creates tables too


@contextmanager
def opening_alone(url: str) -> Iterator[None]:
    """While this process opens the PostgreSQL store at `url`, others opening it wait: a
    session advisory lock, held on a connection of its own (autocommit, never idle in a
    transaction) and let go when the block ends, or the connection does."""
    if make_url(url).get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": OPENING_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": OPENING_LOCK})
    finally:
        engine.dispose()


def create_missing(
    engine: Engine, *parts: MetaData | Table | Index, schema: str | None = None
) -> None:
    """Create `schema` (PostgreSQL) and each of `parts` that does not exist yet."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # the others wait until this one commits
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            if schema is not None:
                connection.execute(CreateSchema(schema, if_not_exists=True))
        for part in parts:
            if isinstance(part, MetaData):
                part.create_all(connection, checkfirst=True)
            else:
                part.create(connection, checkfirst=True)
