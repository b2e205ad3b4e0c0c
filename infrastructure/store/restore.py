"""`samverkan restore`: a backup into an empty var dir or database, checked before and after.

Every checksum is checked before anything is written. After the copy, the views are rebuilt
from the restored log by the same code that `serve` runs on start (`ensure_views`), and the
restored log must chain intact to the manifest's head and position and hold its checkpoint.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infrastructure.bootstrap import bootstrap
from infrastructure.integration.relay_state import renew_store_id
from infrastructure.settings import Settings
from infrastructure.store.backup import (
    KEYSTORE_FILE,
    MANIFEST,
    SQLITE_FILE,
    copy_private,
    sha256_of,
    sqlite_path,
)
from infrastructure.store.checkpoints import checkpoint_consistency
from infrastructure.store.keys import chain_key
from infrastructure.store.postgres_dump import KEYS_DUMP, LOG_DUMP, pg_restore, shown_url, tables_in
from infrastructure.views.audit import AuditQueries

Step = Callable[[str], None]


class RestoreRefusedError(Exception):
    """Not a backup, a backup of the other kind of store, or a target that is not empty."""


class RestoreMismatchError(Exception):
    """A file, the chain or the checkpoint does not match the manifest."""


@dataclass(frozen=True)
class Restored:
    position: int
    head: str
    checked: int
    checkpoint: str


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise RestoreRefusedError(f"{path} does not exist: {source} is not a Samverkan backup.")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
        _ = manifest["store"], manifest["files"], manifest["position"], manifest["checkpoint"]
    except (ValueError, KeyError, TypeError) as error:
        raise RestoreMismatchError(f"{path} is not a readable manifest ({error}).") from error
    return manifest


def check_files(source: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest names is there, with the SHA-256 it names."""
    for name, expected in sorted(manifest["files"].items()):
        path = source / name
        if not path.is_file():
            raise RestoreMismatchError(f"{name}: missing from {source}.")
        if sha256_of(path) != expected:
            raise RestoreMismatchError(f"{name}: its SHA-256 does not match the manifest.")


def restore(settings: Settings, source: Path, step: Step | None = None) -> Restored:
    announce = step or (lambda _: None)
    manifest = read_manifest(source)
    store = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["store"] != store:
        raise RestoreRefusedError(
            f"The backup is of a {manifest['store']} store; the target is {store}."
        )
    _refuse_unless_empty(settings)
    announce("checking checksums")
    check_files(source, manifest)
    announce("restoring the store")
    if settings.is_sqlite:
        _restore_sqlite(settings, source)
    else:
        for dump in (LOG_DUMP, KEYS_DUMP):
            if (source / dump).exists():
                pg_restore(settings, source / dump)
    _restore_keys(settings.var_dir, source)
    announce("rebuilding the views from the log")
    return _verified(settings, manifest, announce)


def _refuse_unless_empty(settings: Settings) -> None:
    var_dir = settings.var_dir
    if var_dir.exists() and any(var_dir.iterdir()):
        held = ", ".join(sorted(p.name for p in var_dir.iterdir())[:8])
        raise RestoreRefusedError(f"The var dir {var_dir.resolve()} is not empty: {held}.")
    if settings.is_sqlite:
        if sqlite_path(settings).exists():
            raise RestoreRefusedError(f"The database {sqlite_path(settings)} already exists.")
        return
    held_tables = tables_in(settings)
    if held_tables:
        raise RestoreRefusedError(
            f"The database {shown_url(settings)} is not empty: {', '.join(held_tables[:8])}."
        )


def _restore_sqlite(settings: Settings, source: Path) -> None:
    target = sqlite_path(settings)
    partial = target.with_name(target.name + ".restoring")
    copy_private(source / SQLITE_FILE, partial)
    with sqlite3.connect(partial) as connection:  # the views are rebuilt from the log on open
        connection.execute("DELETE FROM projection_tracking WHERE name = 'views'")
    connection.close()
    os.replace(partial, target)


def _restore_keys(var_dir: Path, source: Path) -> None:
    keys = source / "keys"
    if keys.is_dir():
        for key in sorted(keys.iterdir()):
            copy_private(key, var_dir / "keys" / key.name)
    if (source / KEYSTORE_FILE).exists():
        copy_private(source / KEYSTORE_FILE, var_dir / KEYSTORE_FILE)


def _verified(settings: Settings, manifest: dict[str, Any], announce: Step) -> Restored:
    samverkan = bootstrap(settings)  # creates the views and replays the log into them
    try:
        announce("verifying the chain and the checkpoint")
        events = samverkan.events
        result = AuditQueries(events, samverkan.policy).verify(chain_key(settings.var_dir))
        if not result.intact:
            raise RestoreMismatchError(
                f"The restored log is broken at position {result.first_broken_position}."
            )
        position = events.recorder.max_notification_id() or 0
        if position != manifest["position"] or result.head != manifest["head"]:
            raise RestoreMismatchError(
                f"The restored log ends at position {position} with head {result.head}; the "
                f"manifest says position {manifest['position']} with head {manifest['head']}."
            )
        consistent, detail = checkpoint_consistency(
            events, manifest["checkpoint"], settings.var_dir
        )
        if not consistent:
            at = manifest["checkpoint"].get("position")
            raise RestoreMismatchError(f"The checkpoint at position {at}: {detail}")
        announce("giving the restored store a new relay id")
        engine = events.datastore.engine
        assert engine is not None
        renew_store_id(engine)  # its next positions are new: `Nats-Msg-Id` must not repeat
    finally:
        samverkan.close()
    return Restored(position, result.head, result.checked, detail)
