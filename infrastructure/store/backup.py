"""`samverkan backup`: a consistent copy of a running store, its keys and a manifest.

SQLite is copied with the online backup API in one step: one read transaction, which in WAL
mode never blocks the writers, so the copy is the store as of one commit. PostgreSQL is dumped
with `pg_dump` inside a snapshot that this process exports while it briefly holds the writers'
table lock, so the position, head and checkpoint it reads are exactly what the dump holds.
Views (`*_view`, `projection_tracking`) are left out there: restore rebuilds them from the log.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infrastructure.bootstrap import StoreNotFoundError, require_existing_store
from infrastructure.settings import Settings
from infrastructure.store.checkpoints import take_checkpoint
from infrastructure.store.event_store import EventStore
from infrastructure.store.keys import chain_key
from infrastructure.store.postgres_dump import dump_postgres

MANIFEST = "manifest.json"
SQLITE_FILE = "samverkan.db"
KEYSTORE_FILE = "keystore.db"  # the personal-data key store beside an SQLite store
SUBJECT_KEY_FILES = frozenset({"master.key"})  # under keys/: left out with the subject keys
Step = Callable[[str], None]


class BackupRefusedError(Exception):
    """There is nothing to back up, or the output directory already holds a backup."""


def sqlite_path(settings: Settings) -> Path:
    """The SQLite file a `sqlite:///` store URL names."""
    path = settings.store_url.removeprefix("sqlite:///").split("?", 1)[0]
    if not path or ":memory:" in path:
        raise BackupRefusedError("An in-memory store cannot be backed up.")
    return Path(path)


def back_up(
    settings: Settings, out: Path, subject_keys: bool = True, step: Step | None = None
) -> dict[str, Any]:
    """Copy the store, its keys and a manifest into `out`; returns the manifest."""
    announce = step or (lambda _: None)
    _refuse_unless_ready(settings, out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.is_sqlite:
        announce(f"copying {sqlite_path(settings)}")
        position, head, checkpoint = _copy_sqlite(settings, out)
    else:
        announce("dumping the log, chain and key tables with pg_dump")
        position, head, checkpoint = dump_postgres(settings, out, subject_keys)
    announce("copying keys")
    _copy_keys(settings.var_dir, out, subject_keys)
    announce("writing checksums")
    manifest = {
        "format": 1,
        "store": "sqlite" if settings.is_sqlite else "postgresql",
        "created_at": datetime.now(UTC).isoformat(),
        "position": position,
        "head": head,
        "checkpoint": checkpoint,
        "subject_keys": subject_keys,
        "files": {name: sha256_of(out / name) for name in _files_in(out)},
    }
    _write_private(out / MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
    return manifest


def _refuse_unless_ready(settings: Settings, out: Path) -> None:
    if settings.is_sqlite:
        sqlite_path(settings)  # refuses an in-memory store
    try:
        require_existing_store(settings)
    except StoreNotFoundError as error:
        raise BackupRefusedError(f"No store to back up: {error}") from error
    if out.exists() and any(out.iterdir()):
        raise BackupRefusedError(f"{out} is not empty: back up into a new directory.")


def _copy_sqlite(settings: Settings, out: Path) -> tuple[int, str, dict[str, Any]]:
    source = sqlite3.connect(sqlite_path(settings), timeout=30)
    target = sqlite3.connect(out / SQLITE_FILE)
    try:
        source.backup(target)  # one step: one read snapshot, never restarted by writers
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside
    finally:
        target.close()
        source.close()
    os.chmod(out / SQLITE_FILE, 0o600)
    position, head = read_head_sqlite(out / SQLITE_FILE)
    # The checkpoint is signed over the copy, so it names exactly the copy's position.
    copy = EventStore.open(
        f"sqlite:///{(out / SQLITE_FILE).resolve()}", chain_key(settings.var_dir, create=False)
    )
    try:
        checkpoint = take_checkpoint(copy, settings.var_dir, create=False)
    finally:
        copy.close()
    with sqlite3.connect(out / SQLITE_FILE) as connection:  # fold any -wal back in
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return position, head, checkpoint


def read_head_sqlite(path: Path) -> tuple[int, str]:
    """The log's last position and the chain's head hash in an SQLite file."""
    with sqlite3.connect(path) as connection:
        position = connection.execute("SELECT max(id) FROM samverkan_events").fetchone()[0] or 0
        head = connection.execute("SELECT hash FROM event_chain_head WHERE id = 1").fetchone()
    connection.close()
    return int(position), bytes(head[0]).hex() if head else "00" * 32


def _copy_keys(var_dir: Path, out: Path, subject_keys: bool) -> None:
    keys = var_dir / "keys"
    if keys.is_dir():
        (out / "keys").mkdir(mode=0o700, exist_ok=True)
        for key in sorted(keys.iterdir()):
            if key.is_file() and (subject_keys or key.name not in SUBJECT_KEY_FILES):
                _write_private(out / "keys" / key.name, key.read_bytes())
    keystore = var_dir / KEYSTORE_FILE
    if subject_keys and keystore.exists():
        source, target = sqlite3.connect(keystore, timeout=30), sqlite3.connect(out / KEYSTORE_FILE)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        os.chmod(out / KEYSTORE_FILE, 0o600)


def _files_in(directory: Path) -> list[str]:
    return sorted(
        str(path.relative_to(directory))
        for path in directory.rglob("*")
        if path.is_file() and path.name != MANIFEST
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_private(path: Path, content: bytes) -> None:
    """Write a file only its owner can read, durably, replacing nothing half-way."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def copy_private(source: Path, target: Path) -> None:
    """Copy a file into place with mode 0600."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
