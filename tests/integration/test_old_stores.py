"""Stores written by every earlier release open, verify, replay and serve with today's code.

Each release's store lives in `tests/fixtures/stores/<release>/` (see
`tests/fixtures/write_store.py`). The test works on a copy, with the file modes a deployment
gave them (git keeps no modes), and with no step an operator would have to take by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.values import Role
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.store.registrations import number_issues_opened_before_numbers
from infrastructure.tokens import TokenIssuer
from infrastructure.views.read_models import VIEWS
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


def test_every_issue_of_an_old_store_is_numbered_in_opening_order_at_start_up(
    client: tuple[TestClient, Settings],
) -> None:
    test_client, settings = client
    token = TokenIssuer(settings).issue("revisor", Role.AUDITOR, "*")
    headers = {"Authorization": f"Bearer {token}"}
    with test_client.app.state.samverkan.events.reading() as session:  # type: ignore[attr-defined]
        issue = VIEWS["issue"]
        rows = session.execute(
            select(
                issue.c.id, issue.c.municipality, issue.c.created_at, issue.c.registration_number
            ).order_by(issue.c.position)
        ).all()
    assert rows, "the fixture holds no issue"
    serials: dict[tuple[str, int], list[int]] = {}
    numbered_at_start_up: dict[tuple[str, int], list[int]] = {}
    for issue_id, municipality, created_at, number in rows:
        assert number is not None, f"issue {issue_id} has no registration number"
        prefix, serial = number.split("/")
        assert prefix == f"{municipality}-{created_at.year}"
        serials.setdefault((municipality, created_at.year), []).append(int(serial))
        history = test_client.get(
            f"/api/v1/issues/{issue_id}/history?limit=500", headers=headers
        ).json()
        registered = [e for e in history["items"] if e["type"] == "Issue.Registered"]
        if registered:
            assert [e["actor"]["user_id"] for e in registered] == ["samverkan.system"]
            numbered_at_start_up.setdefault((municipality, created_at.year), []).append(int(serial))
    assert numbered_at_start_up, "the fixture holds no issue opened without a number"
    for numbers in serials.values():  # from 1, with no gaps
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    for numbers in numbered_at_start_up.values():  # after those given at opening, in order
        assert numbers == sorted(numbers)
    dependency = test_client.get("/api/v1/insights/person-dependency", headers=headers)
    assert "samverkan.system" not in dependency.text  # the service itself is not a person
    verified = test_client.get("/api/v1/audit/verify", headers=headers).json()
    assert verified["intact"] is True


def test_an_old_store_is_consistent_with_the_checkpoint_it_signed(
    var_dir: Path, written: dict[str, object]
) -> None:
    if "checkpoint" not in written:
        pytest.skip("this release signed no checkpoints yet")
    checkpoint = var_dir.parent / "checkpoint.json"
    checkpoint.write_text(json.dumps(written["checkpoint"]))
    verified = samverkan(var_dir, "audit", "verify", "--checkpoint", str(checkpoint))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    result = json.loads(verified.stdout)
    assert result["intact"] is True
    assert [c["consistent"] for c in result["checkpoints"]] == [True], result


def test_what_an_old_release_erased_stays_erased(
    client: tuple[TestClient, Settings], var_dir: Path, written: dict[str, object]
) -> None:
    erased = [str(s) for s in written.get("erased_strings", [])]  # type: ignore[attr-defined]
    if not erased:
        pytest.skip("this release carried out no gallring")
    test_client, settings = client
    admin = TokenIssuer(settings).issue("sara.ek", Role.ADMIN, "2462")
    headers = {"Authorization": f"Bearer {admin}"}
    issue = written["erased_issue"]
    for path in (
        f"/issues/{issue}",
        f"/issues/{issue}/history",
        "/audit/events?limit=500",
        "/exports/timeline?format=json",
        "/exports/timeline?format=csv",
        f"/subjects/{written['erased_subject']}/extract",
    ):
        response = test_client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 200, (path, response.text)
        for value in erased:
            assert value not in response.text, (path, value)
    assert "[gallrad]" in test_client.get(f"/api/v1/issues/{issue}", headers=headers).text
    for database in var_dir.glob("*.db*"):
        for value in erased:
            assert value.encode() not in database.read_bytes(), (database.name, value)


def test_an_old_store_is_numbered_once_by_the_first_writer_and_never_by_a_read_command(
    var_dir: Path,
) -> None:
    settings = Settings(var_dir=var_dir, rate_limit="off")
    reader = bootstrap(settings, create=False)
    try:
        events_before = reader.events.recorder.max_notification_id()
    finally:
        reader.close()
    assert samverkan(var_dir, "audit", "verify").returncode == 0
    writer = bootstrap(settings)
    try:
        numbered = writer.events.recorder.max_notification_id()
        assert numbered > events_before  # the first writer numbered the unnumbered issues
        assert number_issues_opened_before_numbers(writer.events, writer.bus) == 0
    finally:
        writer.close()
    again = bootstrap(settings)
    try:
        assert again.events.recorder.max_notification_id() == numbered
    finally:
        again.close()


def test_an_old_store_is_searchable_with_no_manual_step(var_dir: Path) -> None:
    with sqlite3.connect(var_dir / "samverkan.db") as connection:
        had_index = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'issue_search'"
        ).fetchone()[0]
    connection.close()
    settings = Settings(var_dir=var_dir, rate_limit="off")
    with TestClient(create_app(settings=settings)) as test_client:
        token = TokenIssuer(settings).issue("revisor", Role.AUDITOR, "*")
        headers = {"Authorization": f"Bearer {token}"}
        issues = test_client.get("/api/v1/issues?limit=500", headers=headers).json()["items"]
        assert issues, "the fixture holds no issue"
        for issue in issues:
            needle = issue["title"][1:-1].upper()  # a part, in other letters
            found = test_client.get("/api/v1/issues", params={"q": needle}, headers=headers)
            assert issue["id"] in [i["id"] for i in found.json()["items"]], needle
    assert not had_index  # an earlier release's store: the index was made at start-up


def test_what_an_old_release_said_about_a_confidential_note_stays_secret(
    client: tuple[TestClient, Settings],
) -> None:
    """Release 2 recorded corrections without the note's lagrum; they are as secret as it."""
    test_client, settings = client
    caseworker = TokenIssuer(settings).issue("olle.berg", Role.CASEWORKER, "2462")
    headers = {"Authorization": f"Bearer {caseworker}"}
    listed = test_client.get("/api/v1/issues?limit=500", headers=headers).json()["items"]
    views = [test_client.get(f"/api/v1/issues/{i['id']}", headers=headers).json() for i in listed]
    secret = [v["id"] for v in views if any(n.get("lagrum") for n in v.get("notes", []))]
    if not secret:
        pytest.skip("this release recorded no confidential note")
    issue = secret[0]
    secrets = ("Nils Persson berättade", "butikens ekonomi", "För detaljerat.")
    readers = {
        "auditor": TokenIssuer(settings).issue("revisor", Role.AUDITOR, "*"),
        "evaluator": TokenIssuer(settings).issue("forskare", Role.EVALUATOR, "*"),
        "caseworker": TokenIssuer(settings).issue("olle.berg", Role.CASEWORKER, "2462"),
    }
    said = {}
    for reader, token in readers.items():
        headers = {"Authorization": f"Bearer {token}"}
        pages = [
            test_client.get(f"/api/v1/issues/{issue}/history?limit=500", headers=headers),
            test_client.get("/api/v1/audit/events?limit=500", headers=headers),
        ]
        said[reader] = " ".join(p.text for p in pages if p.status_code == 200)
    if "butikens ekonomi" not in said["caseworker"]:
        pytest.skip("this release recorded no correction of a confidential note")
    for reader in ("auditor", "evaluator"):
        assert not [s for s in secrets if s in said[reader]], reader
    assert "[sekretess]" in said["auditor"]
