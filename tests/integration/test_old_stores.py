"""Stores written by every earlier release open, verify, replay and serve with today's code.

Each release's store lives in `tests/fixtures/stores/<release>/` (see
`tests/fixtures/write_store.py`). The test works on a copy, with the file modes a deployment
gave them (git keeps no modes), and with no step an operator would have to take by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.values import Role
from infrastructure.read_models import VIEWS
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from tests.soak.servers import SAMVERKAN

STORES = Path(__file__).parents[1] / "fixtures" / "stores"
RELEASES = sorted(p.name for p in STORES.iterdir() if p.is_dir())
ROUTES = {
    "issue": "issues",
    "task_force": "task-forces",
    "decision": "decisions",
    "outcome": "outcomes",
}


def deployed_copy(release: str, var_dir: Path) -> Path:
    """The release's store copied as a deployment holds it: keys readable by the owner only."""
    shutil.copytree(STORES / release, var_dir, ignore=shutil.ignore_patterns("*.json"))
    for key in (var_dir / "keys").iterdir():
        key.chmod(0o600)
    return var_dir


@pytest.fixture(params=RELEASES)
def release(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def var_dir(release: str, tmp_path: Path) -> Path:
    return deployed_copy(release, tmp_path / "var")


@pytest.fixture
def written(release: str) -> dict[str, object]:
    return dict(json.loads((STORES / release / "written-by.json").read_text()))


def samverkan(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")},
        "SAMVERKAN_VAR_DIR": str(var_dir),
        "SAMVERKAN_LOG_FORMAT": "json",
    }
    return subprocess.run(
        [SAMVERKAN, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_an_old_store_verifies_intact(var_dir: Path, written: dict[str, object]) -> None:
    verified = samverkan(var_dir, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    result = json.loads(verified.stdout)
    assert result["intact"] is True
    assert result["checked"] >= written["events"]  # type: ignore[operator]


def test_an_old_store_replays_without_a_difference(var_dir: Path) -> None:
    checked = samverkan(var_dir, "replay", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " 0 differences" in checked.stdout


@pytest.fixture
def client(var_dir: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = Settings(var_dir=var_dir, rate_limit="off")
    with TestClient(create_app(settings=settings)) as test_client:
        yield test_client, settings


def test_an_old_store_serves_every_record_and_its_history(
    client: tuple[TestClient, Settings],
) -> None:
    test_client, settings = client
    app_state = test_client.app.state  # type: ignore[attr-defined]
    token = TokenIssuer(settings).issue("revisor", Role.AUDITOR, "*")
    headers = {"Authorization": f"Bearer {token}"}
    served = 0
    with app_state.samverkan.events.reading() as session:
        records = {
            kind: list(session.execute(select(VIEWS[kind].c.id)).scalars()) for kind in ROUTES
        }
    for kind, ids in records.items():
        assert ids, f"the fixture holds no {kind}"
        for record_id in ids:
            for path in (f"/{record_id}", f"/{record_id}/history", f"/{record_id}?version=1"):
                response = test_client.get(f"/api/v1/{ROUTES[kind]}{path}", headers=headers)
                assert response.status_code == 200, (path, response.text)
                served += 1
    for path in ("/audit/events?limit=500", "/exports/timeline?format=json"):
        assert test_client.get(f"/api/v1{path}", headers=headers).status_code == 200
    assert served > 0


def test_an_old_store_takes_new_commands(client: tuple[TestClient, Settings]) -> None:
    test_client, settings = client
    token = TokenIssuer(settings).issue("olle.berg", Role.CASEWORKER, "2462")
    headers = {"Authorization": f"Bearer {token}"}
    listed = test_client.get("/api/v1/issues?status=open", headers=headers).json()["items"]
    issue_id = listed[0]["id"]
    note = {"kind": "phone", "text": "Uppföljning.", "occurred_on": "2026-11-30"}
    answer = test_client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=headers)
    assert answer.status_code == 200, answer.text
    admin = TokenIssuer(settings).issue("sara.ek", Role.ADMIN, "2462")
    verified = test_client.get(
        "/api/v1/audit/verify", headers={"Authorization": f"Bearer {admin}"}
    ).json()
    assert verified["intact"] is True
