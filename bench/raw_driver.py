"""The baseline for store efficiency: raw driver transactions of two rows, same durability.

Each transaction inserts an event-sized row (with the unique (stream, version) index an event
store needs) and a view-sized row, then commits: SQLite in WAL mode with synchronous=FULL, as the
product's engine; PostgreSQL over one connection with the server's default synchronous_commit.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.common import plain_postgres
from bench.product import issue_body

STATE = json.dumps(
    {**issue_body(), "actor": {"user_id": "karin.berg", "role": "caseworker"}, "pad": "x" * 200}
).encode()
DDL = (
    "CREATE TABLE raw_events (id INTEGER PRIMARY KEY, stream TEXT NOT NULL,"
    " version INTEGER NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL)",
    "CREATE UNIQUE INDEX raw_events_stream ON raw_events (stream, version)",
    "CREATE TABLE raw_view (id TEXT PRIMARY KEY, municipality TEXT, title TEXT, body TEXT)",
)


@contextmanager
def sqlite_writer(directory: Path) -> Iterator[Callable[[], None]]:
    connection = sqlite3.connect(directory / "raw.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for statement in DDL:
        connection.execute(statement)

    def write() -> None:
        stream = str(uuid.uuid4())
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO raw_events (stream, version, topic, state) VALUES (?, 1, ?, ?)",
            (stream, "domain.issue:Issue.Opened", STATE),
        )
        connection.execute(
            "INSERT INTO raw_view VALUES (?, ?, ?, ?)",
            (stream, "0561", "Butiken i Falerum kan stänga", STATE.decode()),
        )
        connection.execute("COMMIT")

    try:
        yield write
    finally:
        connection.close()


@contextmanager
def postgres_writer(url: str) -> Iterator[Callable[[], None]]:
    with psycopg.connect(plain_postgres(url)) as connection:
        connection.execute("DROP TABLE IF EXISTS raw_events, raw_view")
        for statement in DDL:
            connection.execute(
                statement.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY").replace(
                    "BLOB", "BYTEA"
                )
            )
        connection.commit()

        def write() -> None:
            stream = str(uuid.uuid4())
            connection.execute(
                "INSERT INTO raw_events (stream, version, topic, state) VALUES (%s, 1, %s, %s)",
                (stream, "domain.issue:Issue.Opened", STATE),
            )
            connection.execute(
                "INSERT INTO raw_view VALUES (%s, %s, %s, %s)",
                (stream, "0561", "Butiken i Falerum kan stänga", STATE.decode()),
            )
            connection.commit()

        yield write
