"""`samverkan backup` and `samverkan restore`, run as an operator runs them, on both backends.

A backup restores into an empty place and verifies; a changed file is named and refused with
exit 1 before anything is written; a target that is not empty is named and refused with exit 2.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from infrastructure.integration.relay_state import ensure_relay_tables, store_id
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL, reset_postgres, settings_for
from tests.soak.servers import SAMVERKAN, server_env

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def samverkan(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SAMVERKAN, *args],
        env=server_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def restore_target(backend: str, var_dir: Path) -> Settings:
    """An empty place to restore into: a fresh var dir, and on PostgreSQL a second database."""
    if backend == "sqlite":
        return Settings(var_dir=var_dir, rate_limit="off")
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL)
    target = url.set(database=f"{url.database}_restore")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    url_text = target.render_as_string(hide_password=False)
    reset_postgres(url_text)
    return Settings(var_dir=var_dir, database_url=url_text, rate_limit="off")


@pytest.fixture(params=BACKENDS)
def backed_up(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Settings]:
    """A store with the demo programme in it, and a backup of it in `tmp_path / "backup"`."""
    backend = str(request.param)
    source = settings_for(backend, tmp_path / "var")
    loaded = samverkan(source, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    engine = create_engine(source.store_url)
    ensure_relay_tables(engine)
    store_id(engine)  # as a relay would have made it
    engine.dispose()
    made = samverkan(source, "backup", "-o", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr[-2000:]
    return backend, tmp_path / "backup", source


def test_a_backup_restores_into_an_empty_place_and_verifies(
    backed_up: tuple[str, Path, Settings], tmp_path: Path
) -> None:
    backend, backup, source = backed_up
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["position"] > 100
    assert manifest["checkpoint"]["position"] == manifest["position"]
    assert manifest["checkpoint"]["hash"] == manifest["head"]
    assert manifest["subject_keys"] is True
    assert "keys/chain-head.key" in manifest["files"]
    assert all((backup / name).stat().st_mode & 0o077 == 0 for name in manifest["files"])

    target = restore_target(backend, tmp_path / "restored")
    restored = samverkan(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr[-2000:]
    assert json.loads(restored.stdout)["position"] == manifest["position"]
    check = samverkan(target, "replay", "--check")
    assert check.returncode == 0 and " 0 differences" in check.stdout, check.stdout
    listed = samverkan(target, "export", "timeline", "--format", "json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)["items"]) > 100  # the views were rebuilt from the log
    # a new branch of history: its next positions must not reuse the source's message ids
    assert relay_store_id(target) not in (None, relay_store_id(source))


def relay_store_id(settings: Settings) -> str | None:
    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT store_id FROM relay_store")).scalar()
    finally:
        engine.dispose()


def test_a_changed_file_is_named_and_nothing_is_restored(
    backed_up: tuple[str, Path, Settings], tmp_path: Path
) -> None:
    backend, backup, _ = backed_up
    manifest = json.loads((backup / "manifest.json").read_text())
    store_file = next(name for name in manifest["files"] if not name.startswith("keys/"))
    with (backup / store_file).open("r+b") as file:
        file.seek(2000)
        byte = file.read(1)
        file.seek(2000)
        file.write(bytes([byte[0] ^ 0xFF]))
    target = restore_target(backend, tmp_path / "restored")
    refused = samverkan(target, "restore", str(backup))
    assert refused.returncode == 1
    assert store_file in refused.stderr
    assert not (tmp_path / "restored").exists()


def test_a_target_that_is_not_empty_is_named_and_refused(
    backed_up: tuple[str, Path, Settings],
) -> None:
    _, backup, source = backed_up
    refused = samverkan(source, "restore", str(backup))
    assert refused.returncode == 2
    assert "not empty" in refused.stderr
    assert str(source.var_dir.resolve()) in refused.stderr


def test_without_subject_keys_leaves_the_key_store_out_and_says_so(tmp_path: Path) -> None:
    source = settings_for("sqlite", tmp_path / "var")
    assert samverkan(source, "demo", "load").returncode == 0
    (source.var_dir / "keys" / "master.key").write_bytes(b"a subject master key")
    made = samverkan(source, "backup", "-o", str(tmp_path / "long-term"), "--without-subject-keys")
    assert made.returncode == 0, made.stderr[-2000:]
    manifest = json.loads((tmp_path / "long-term" / "manifest.json").read_text())
    assert manifest["subject_keys"] is False
    assert "keys/master.key" not in manifest["files"]
    assert not (tmp_path / "long-term" / "keys" / "master.key").exists()
    assert "keys/chain-head.key" in manifest["files"]


def test_backup_of_a_missing_store_exits_2_and_names_it(tmp_path: Path) -> None:
    nothing = Settings(var_dir=tmp_path / "nothing-here", rate_limit="off")
    refused = samverkan(nothing, "backup", "-o", str(tmp_path / "backup"))
    assert refused.returncode == 2
    assert "nothing-here" in refused.stderr
