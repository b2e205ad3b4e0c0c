"""PostgreSQL's side of backup and restore: `pg_dump` in one exported snapshot, `pg_restore`.

The snapshot is exported while this process holds `LOCK TABLE samverkan_events IN EXCLUSIVE
MODE` for a moment, the lock every writer takes before inserting events and holds until its
COMMIT. So no transaction is half-way through writing events, chain links and views when the
snapshot is taken, and the checkpoint signed meanwhile names exactly the snapshot's head.
Writers wait for milliseconds, not for the dump: the lock is released before `pg_dump` runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Connection, create_engine, make_url, text

from infrastructure.settings import Settings
from infrastructure.store.checkpoints import take_checkpoint
from infrastructure.store.event_store import EventStore
from infrastructure.store.keys import chain_key

LOG_DUMP = "events.dump"
KEYS_DUMP = "subject-keys.dump"
KEYS_SCHEMA = "samverkan_keys"
PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/bin"))


class PostgresToolError(Exception):
    """pg_dump or pg_restore failed, or is not installed."""


def libpq_url(settings: Settings) -> str:
    """The store's URL as libpq reads it (no SQLAlchemy driver name)."""
    url = make_url(settings.store_url).set(drivername="postgresql", password=None, query={})
    query = urlencode(make_url(settings.store_url).query, doseq=True, quote_via=quote)
    # The password goes in PGPASSWORD; libpq reads %20, not SQLAlchemy's +, as a space.
    return url.render_as_string(hide_password=False) + (f"?{query}" if query else "")


def shown_url(settings: Settings) -> str:
    """The store's URL for messages: no password, no session options."""
    return make_url(settings.database_url or "").set(query={}).render_as_string()


def is_derived(table: str) -> bool:
    """Views and their tracking are rebuilt from the log; `_replay` tables are replay's scratch."""
    return (
        table.endswith(("_view", "_replay"))
        or "_view_" in table
        or table.startswith("projection_tracking")
    )


def dump_postgres(
    settings: Settings, out: Path, subject_keys: bool
) -> tuple[int, str, dict[str, Any]]:
    """Dump the log, chain and source tables (and the key schema): position, head, checkpoint."""
    events = EventStore.open(
        settings.store_url, chain_key(settings.var_dir, create=False), pool_size=2
    )
    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as holder, engine.connect() as snapshot:
            holder.begin()
            holder.exec_driver_sql("LOCK TABLE samverkan_events IN EXCLUSIVE MODE")
            snapshot = snapshot.execution_options(isolation_level="REPEATABLE READ")
            snapshot.begin()
            snapshot_id = snapshot.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            position, head = _head(snapshot)
            tables, has_keys = source_tables(snapshot), has_key_schema(snapshot)
            checkpoint = take_checkpoint(events, settings.var_dir, create=False)
            holder.rollback()  # writers go on; the exported snapshot stays as it was
            table_args = [f"--table={schema}.{name}" for schema, name in tables]
            _pg_dump(settings, snapshot_id, out / LOG_DUMP, table_args)
            if subject_keys and has_keys:
                _pg_dump(settings, snapshot_id, out / KEYS_DUMP, [f"--schema={KEYS_SCHEMA}"])
            snapshot.rollback()
    finally:
        engine.dispose()
        events.close()
    return position, head, checkpoint


def _head(connection: Connection) -> tuple[int, str]:
    position = connection.execute(text("SELECT max(id) FROM samverkan_events")).scalar() or 0
    head = connection.execute(text("SELECT hash FROM event_chain_head WHERE id = 1")).scalar()
    return int(position), bytes(head).hex() if head is not None else "00" * 32


def source_tables(connection: Connection) -> list[tuple[str, str]]:
    """Every table of the store's schema that is not derived from the log."""
    rows = connection.execute(
        text(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        )
    ).all()
    return [(schema, name) for schema, name in rows if not is_derived(name)]


def has_key_schema(connection: Connection) -> bool:
    found = connection.execute(
        text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
        {"name": KEYS_SCHEMA},
    ).scalar()
    return found is not None


def _tool(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise PostgresToolError(f"{name} is not installed (looked in PATH and {PG_BIN_DIRS[0]}).")
    return found


def _pg_dump(settings: Settings, snapshot_id: str, target: Path, selection: list[str]) -> None:
    command = [
        _tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--snapshot={snapshot_id}",
        f"--file={target}",
        *selection,
        f"--dbname={libpq_url(settings)}",
    ]
    _run(command, "pg_dump", settings)
    target.chmod(0o600)


def pg_restore(settings: Settings, dump: Path) -> None:
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={libpq_url(settings)}",
        str(dump),
    ]
    _run(command, "pg_restore", settings)


def _run(command: list[str], name: str, settings: Settings) -> None:
    env = dict(os.environ)
    password = make_url(settings.store_url).password
    if password:
        env["PGPASSWORD"] = password  # not on the command line, where `ps` shows it
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise PostgresToolError(f"{name} failed: {done.stderr.strip()[-2000:]}")


def tables_in(settings: Settings) -> list[str]:
    """What already lives in the target database: its tables, and the key schema."""
    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            names = [
                name
                for _, name in connection.execute(
                    text(
                        "SELECT table_schema, table_name FROM information_schema.tables"
                        " WHERE table_schema = current_schema()"
                    )
                ).all()
            ]
            if has_key_schema(connection):
                names.append(f"schema {KEYS_SCHEMA}")
    finally:
        engine.dispose()
    return sorted(names)
