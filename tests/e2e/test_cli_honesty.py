"""A CLI that never reassures falsely: read commands never make a store or a key up, and
every command says which store it uses. Keys and files are the service account's alone."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from infrastructure.bootstrap import bootstrap
from tests.conftest import settings_for
from tests.soak.servers import SAMVERKAN


def samverkan(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env.update(SAMVERKAN_VAR_DIR=str(var_dir), SAMVERKAN_LOG_FORMAT="json")
    return subprocess.run(
        [SAMVERKAN, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ["audit", "verify"],
        ["audit", "checkpoint"],
        ["replay", "--check"],
        ["export", "timeline"],
        ["token", "issue", "--user", "anna.lind", "--role", "caseworker", "--municipality", "0561"],
    ],
)
def test_a_read_command_in_the_wrong_folder_exits_2_naming_where_it_looked(
    tmp_path: Path, command: list[str]
) -> None:
    var_dir = tmp_path / "elsewhere"
    result = samverkan(var_dir, *command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(var_dir) in result.stderr
    assert result.stdout == ""
    assert not var_dir.exists() or not any(var_dir.rglob("*"))  # nothing was made up


@pytest.fixture
def store(tmp_path: Path) -> Path:
    settings = settings_for("sqlite", tmp_path / "var")
    bootstrap(settings).close()
    return settings.var_dir


def test_every_command_names_its_store_on_stderr(store: Path) -> None:
    result = samverkan(store, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert f"samverkan.db, var dir {store}" in result.stderr
    assert json.loads(result.stdout)["intact"] is True


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--role", "caseworker", "--municipality", "abc"], "four-digit"),
        (["--role", "caseworker", "--municipality", "*"], "national scope"),
        (["--role", "caseworker", "--municipality", "0561", "--ttl", "48"], "at most"),
    ],
)
def test_token_issue_refuses_what_the_server_would_refuse(
    store: Path, args: list[str], why: str
) -> None:
    result = samverkan(store, "token", "issue", "--user", "anna.lind", *args)
    assert result.returncode == 2
    assert why in result.stderr
    assert result.stdout == ""


def test_token_issue_refuses_a_user_id_that_could_forge_a_log_line(store: Path) -> None:
    result = samverkan(
        store,
        "token",
        "issue",
        "--user",
        "anna\nuser=admin",
        "--role",
        "caseworker",
        "--municipality",
        "0561",
    )
    assert result.returncode == 2


def test_a_feed_token_is_issued_and_registered(store: Path) -> None:
    result = samverkan(
        store,
        "token",
        "issue",
        "--user",
        "eva",
        "--role",
        "evaluator",
        "--municipality",
        "*",
        "--feed",
        "timeline",
        "--param",
        "municipality=0561",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(".") == 2  # one JWT
    assert "/api/v1/exports/timeline?format=ics&municipality=0561&access_token=" in result.stderr


def test_the_var_dir_database_and_keys_are_the_service_accounts_alone(store: Path) -> None:
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert stat.S_IMODE((store / "samverkan.db").stat().st_mode) == 0o600
    for key in (store / "keys").iterdir():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def test_a_key_others_may_read_is_refused(store: Path) -> None:
    key = store / "keys" / "chain-head.key"
    key.chmod(0o644)
    result = samverkan(store, "audit", "verify")
    assert result.returncode == 2
    assert "readable by others" in result.stderr


def test_an_empty_or_short_key_is_refused(store: Path) -> None:
    key = store / "keys" / "chain-head.key"
    key.write_bytes(b"")
    assert "at least 32" in samverkan(store, "audit", "verify").stderr
    key.write_bytes(b"kort")
    assert samverkan(store, "audit", "verify").returncode == 2
