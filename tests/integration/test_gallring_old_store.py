"""Record-level gallring of events stored before encryption (issue 12, "Existing stores").

The release-1 store holds its notes and members in plaintext. Gallring of the issue whose
notes name Greta Nilsson, with its task forces (as `GET /gallring/due` lists a closed issue),
redacts those events in place; the `GallringCarriedOut` event vouches for each redacted
position. Afterwards the name is in no route, no database file and no new export, `audit
verify` is intact and `replay --check` finds no difference, each in a process of its own.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from domain.values import Role
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from infrastructure.views.read_models import VIEWS
from infrastructure.views.replay_runs import check_views, replace_views
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.integration.test_gallring_postgres import _dump as _pg_dump
from tests.integration.test_old_stores import deployed_copy, samverkan

NAME = "Greta Nilsson"
VILHELMINA = "2462"


def _routes(client: TestClient, headers: dict[str, str], issue: str, forces: list[str]) -> str:
    paths = [
        f"/issues/{issue}",
        f"/issues/{issue}?version=5",
        f"/issues/{issue}/history?limit=500",
        f"/issues?municipality={VILHELMINA}",
        "/task-forces",
        "/audit/events?limit=500",
        "/subjects",
        f"/exports/timeline?municipality={VILHELMINA}&format=json",
        f"/exports/timeline?municipality={VILHELMINA}&format=csv",
        f"/exports/timeline?municipality={VILHELMINA}&format=html",
        f"/insights/person-dependency?municipality={VILHELMINA}",
    ]
    for force in forces:
        paths += [f"/task-forces/{force}", f"/task-forces/{force}/history?limit=500"]
    texts = []
    for path in paths:
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 200, (path, response.text)
        texts.append(response.text)
    return "\n".join(texts)


def _database_bytes(var_dir: Path) -> bytes:
    files = sorted(p for p in var_dir.glob("*.db*") if p.is_file())
    return b"".join(p.read_bytes() for p in files)


def test_record_level_gallring_redacts_an_old_stores_plaintext(tmp_path: Path) -> None:
    var_dir = deployed_copy("release-1", tmp_path / "var")
    assert NAME.encode() in _database_bytes(var_dir)
    settings = Settings(var_dir=var_dir, rate_limit="off")
    issuer = TokenIssuer(settings)
    admin = {"Authorization": f"Bearer {issuer.issue('sara.ek', Role.ADMIN, VILHELMINA)}"}
    with TestClient(create_app(settings=settings)) as client:
        events = client.app.state.samverkan.events  # type: ignore[attr-defined]
        with events.reading() as session:
            notes = VIEWS["note"]
            (issue,) = set(
                session.execute(
                    select(notes.c.issue_id).where(notes.c.text.contains(NAME))
                ).scalars()
            )
            forces = VIEWS["task_force"]
            task_forces = sorted(
                session.execute(select(forces.c.id).where(forces.c.issue_id == issue)).scalars()
            )
        assert NAME in _routes(client, admin, issue, task_forces)
        body = {
            "decision_reference": "KN 2026/12 §4",
            "reason": "Gallring enligt informationshanteringsplanen.",
            "record_ids": [issue, *task_forces],
        }
        done = client.post("/api/v1/gallring", json=body, headers=admin)
        assert done.status_code == 200, done.text

        assert NAME not in _routes(client, admin, issue, task_forces)
        view = client.get(f"/api/v1/issues/{issue}", headers=admin).json()
        assert {n["text"] for n in view["notes"]} == {"[gallrad]"}
        assert view["title"] == "Butiken i Dikanäs behöver ett paketombud"  # titles stay clear
        verified = client.get("/api/v1/audit/verify", headers=admin).json()
        assert verified["intact"] is True, verified
        note = {"kind": "phone", "text": "Efter gallringen.", "occurred_on": "2026-12-01"}
        after = client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=admin)
        assert after.status_code == 200, after.text  # the aggregate still loads and acts

    assert NAME.encode() not in _database_bytes(var_dir)
    verified_cli = samverkan(var_dir, "audit", "verify")
    assert verified_cli.returncode == 0, verified_cli.stdout + verified_cli.stderr
    assert json.loads(verified_cli.stdout)["intact"] is True
    checked = samverkan(var_dir, "replay", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " 0 differences" in checked.stdout


def _copy_log_into(events: Any, sqlite_file: Path) -> None:
    """The release-1 log (events, links, signed head) as a PostgreSQL store would hold it."""
    source = sqlite3.connect(sqlite_file)
    rows = source.execute(
        "SELECT id, originator_id, originator_version, topic, state FROM samverkan_events"
    ).fetchall()
    links = source.execute("SELECT position, hash FROM event_chain_link").fetchall()
    head = source.execute("SELECT position, hash, signature FROM event_chain_head").fetchone()
    source.close()
    with events.datastore.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO samverkan_events (id, originator_id, originator_version, topic, state)"
                " VALUES (:i, :o, :v, :t, :s)"
            ),
            [{"i": i, "o": UUID(bytes=o), "v": v, "t": t, "s": s} for i, o, v, t, s in rows],
        )
        connection.execute(
            text("INSERT INTO event_chain_link (position, hash) VALUES (:p, :h)"),
            [{"p": p, "h": h} for p, h in links],
        )
        connection.execute(
            text(
                "INSERT INTO event_chain_head (id, position, hash, signature)"
                " VALUES (1, :p, :h, :s)"
            ),
            {"p": head[0], "h": head[1], "s": head[2]},
        )
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('samverkan_events', 'id'),"
                " (SELECT max(id) FROM samverkan_events))"
            )
        )
    replace_views(events)


@pytest.mark.postgres
def test_record_level_gallring_of_plaintext_events_on_postgres(tmp_path: Path) -> None:
    var_dir = deployed_copy("release-1", tmp_path / "var")
    sqlite_file = var_dir / "samverkan.db"
    settings = settings_for("postgres", var_dir)
    service = bootstrap(settings)  # an empty store: its tables
    _copy_log_into(service.events, sqlite_file)
    service.close()
    sqlite_file.unlink()
    issuer = TokenIssuer(settings)
    admin = {"Authorization": f"Bearer {issuer.issue('sara.ek', Role.ADMIN, VILHELMINA)}"}
    with TestClient(create_app(settings=settings)) as client:
        events = client.app.state.samverkan.events  # type: ignore[attr-defined]
        assert client.get("/api/v1/audit/verify", headers=admin).json()["intact"] is True
        with events.reading() as session:
            notes = VIEWS["note"]
            (issue,) = set(
                session.execute(
                    select(notes.c.issue_id).where(notes.c.text.contains(NAME))
                ).scalars()
            )
            forces = VIEWS["task_force"]
            task_forces = sorted(
                session.execute(select(forces.c.id).where(forces.c.issue_id == issue)).scalars()
            )
        assert NAME in _pg_dump()
        body = {
            "decision_reference": "KN 2026/12 §4",
            "reason": "Gallring enligt informationshanteringsplanen.",
            "record_ids": [issue, *task_forces],
        }
        done = client.post("/api/v1/gallring", json=body, headers=admin)
        assert done.status_code == 200, done.text

        assert NAME not in _routes(client, admin, issue, task_forces)
        assert NAME not in _pg_dump()
        verified = client.get("/api/v1/audit/verify", headers=admin).json()
        assert verified["intact"] is True, verified
        count, differences = check_views(events)
        assert count > 0 and differences == []
