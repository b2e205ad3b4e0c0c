"""Which relay may publish: exactly one per stream and store.

PostgreSQL: the holder of a session advisory lock, on a connection the relay keeps; it writes
its position through that same connection, so a relay whose connection (and lock) is gone can
record nothing. SQLite: the holder of an exclusive `flock` on a file under the var dir. Either
lock dies with its process, so another relay takes over when the holder is killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from infrastructure.integration.relay_state import read_position, record_position
from infrastructure.store.event_store import EventStore
from infrastructure.store.schema import lock_key


class Leadership(Protocol):
    """The right to publish one stream, and the place to record its position."""

    def try_acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def position(self) -> int: ...
    def record(self, position: int, status: str) -> None: ...
    def release(self) -> None: ...
    def close(self) -> None: ...


def advisory_key(stream: str) -> int:
    return lock_key(f"samverkan.relay:{stream}")


class PostgresLeadership:
    """`pg_try_advisory_lock` on a connection of its own (autocommit, never idle in a txn)."""

    def __init__(self, url: str, stream: str) -> None:
        self.stream = stream
        self.key = advisory_key(stream)
        self.engine = create_engine(url, poolclass=NullPool)
        self.connection: Connection | None = None
        self.holding = False

    def try_acquire(self) -> bool:
        try:
            if self.connection is None:
                connection = self.engine.connect()
                self.connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            query = text("SELECT pg_try_advisory_lock(:key)")
            self.holding = bool(self.connection.execute(query, {"key": self.key}).scalar())
        except Exception:  # PostgreSQL down: not the leader; try again later
            self.release()
        return self.holding

    def held(self) -> bool:
        if not self.holding or self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            return True
        except Exception:  # the connection, and with it the lock, is gone
            self.release()
            return False

    def position(self) -> int:
        assert self.connection is not None
        return read_position(self.connection, self.stream)

    def record(self, position: int, status: str) -> None:
        assert self.connection is not None and self.holding
        record_position(self.connection, self.stream, position, status)

    def release(self) -> None:
        self.holding = False
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing the session releases the lock
                self.connection.close()
            self.connection = None

    def close(self) -> None:
        self.release()
        self.engine.dispose()


class FileLeadership:
    """An exclusive `flock` on `<var dir>/relay-<stream>.lock`, for the SQLite store."""

    def __init__(self, events: EventStore, var_dir: Path, stream: str) -> None:
        self.events = events
        self.stream = stream
        self.path = var_dir / f"relay-{stream}.lock"
        self.file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self.file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "ab")  # noqa: SIM115 - held open as long as the lock
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            return False
        file.write(f"{os.getpid()}\n".encode())
        file.flush()
        self.file = file
        return True

    def held(self) -> bool:
        return self.file is not None

    def position(self) -> int:
        with self.events.reading() as session:
            return read_position(session.connection(), self.stream)

    def record(self, position: int, status: str) -> None:
        # Through the store's own transaction, so it queues behind SQLite's one writer.
        with self.events.transaction() as session:
            record_position(session.connection(), self.stream, position, status)

    def release(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def close(self) -> None:
        self.release()
