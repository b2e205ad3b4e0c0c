"""Issue 12's "done when": after gallring, an erased value is nowhere, and the chain holds.

A task force is formed with a named member; gallring of that subject destroys the subject's
key. The name then reads "[gallrad]" in every route, is absent from every database file
(SQLite main file, its WAL, the key store) and from a new export, `audit verify` is intact
and `replay --check` finds no difference. The same for record-level gallring of a note.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from infrastructure.views.replay_runs import check_views
from tests.e2e.conftest import ÅTVIDABERG, Headers

NAME = "Ingrid Kvarnbergsqvist"  # ASCII: JSON columns escape other letters
NOTE = "Ringde Sixten Bergqvarn om lokalen"
# Letters that no other text of these tests holds: the index stores each of these trigrams
# whole, so their bytes are there exactly while the index still holds the erased text.
CODE_WORD = "wxyzq"


def _everything_readable(
    client: TestClient, admin: Headers, issue_id: str, task_force_id: str
) -> str:
    """Every route that could show the value, concatenated."""
    paths = [
        f"/api/v1/issues/{issue_id}",
        f"/api/v1/issues/{issue_id}/history",
        f"/api/v1/issues?municipality={ÅTVIDABERG}",
        f"/api/v1/task-forces/{task_force_id}",
        f"/api/v1/task-forces/{task_force_id}?version=1",
        f"/api/v1/task-forces/{task_force_id}/history",
        "/api/v1/task-forces",
        "/api/v1/audit/events?limit=500",
        "/api/v1/subjects",
        f"/api/v1/exports/timeline?municipality={ÅTVIDABERG}&format=json",
        f"/api/v1/exports/timeline?municipality={ÅTVIDABERG}&format=csv",
        f"/api/v1/exports/timeline?municipality={ÅTVIDABERG}&format=html",
        f"/api/v1/insights/person-dependency?municipality={ÅTVIDABERG}",
    ]
    texts = []
    for path in paths:
        response = client.get(path, headers=admin)
        assert response.status_code == 200, (path, response.text)
        texts.append(response.text)
    return "\n".join(texts)


def _database_bytes(var_dir: Path) -> bytes:
    files = sorted(p for p in var_dir.glob("*.db*") if p.is_file())
    assert {"samverkan.db", "keystore.db"} <= {p.name for p in files}
    return b"".join(p.read_bytes() for p in files)


def _search_index_bytes(var_dir: Path) -> bytes:
    """Every block and page key of the text search index (FTS5's shadow tables)."""
    with sqlite3.connect(var_dir / "samverkan.db") as connection:
        blocks = connection.execute("SELECT block FROM issue_search_data").fetchall()
        keys = connection.execute("SELECT term FROM issue_search_idx").fetchall()
    connection.close()
    return b"".join(bytes(b) for (b,) in blocks) + b"".join(bytes(k) for (k,) in keys)


def _intact_and_replayable(client: TestClient, admin: Headers) -> None:
    verify = client.get("/api/v1/audit/verify", headers=admin).json()
    assert verify["intact"] is True, verify
    count, differences = check_views(client.app.state.samverkan.events)  # type: ignore[attr-defined]
    assert count > 0 and differences == []


def _gallring(client: TestClient, admin: Headers, **ids: list[str]) -> dict[str, Any]:
    body = {"decision_reference": "KS 2026/41 §7", "reason": "Gallring enligt plan.", **ids}
    response = client.post("/api/v1/gallring", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_gallring_of_a_subject_leaves_the_name_nowhere_and_the_chain_intact(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    api_settings: Settings,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    issue_id = open_issue()
    task_force_id = form_task_force(issue_id)
    member = {"display_name": NAME, "organisation": "Falerums byalag", "role": "kassör"}
    added = client.post(
        f"/api/v1/task-forces/{task_force_id}/members", json=member, headers=caseworker
    )
    assert added.status_code == 200, added.text
    assert NAME in _everything_readable(client, admin, issue_id, task_force_id)
    assert NAME.encode() in _database_bytes(api_settings.var_dir)  # the views hold it, clear
    subjects = client.get(f"/api/v1/subjects?q={NAME[:6]}", headers=admin).json()["items"]
    (subject,) = [s for s in subjects if s["display_name"] == NAME]
    assert subject["records"] == [task_force_id]
    extract = client.get(f"/api/v1/subjects/{subject['subject_id']}/extract", headers=admin)
    assert extract.status_code == 200 and NAME in extract.text

    done = _gallring(client, admin, subject_ids=[subject["subject_id"]])

    assert done["subjects"] == [subject["subject_id"]] and done["position"] > 0
    readable = _everything_readable(client, admin, issue_id, task_force_id)
    assert NAME not in readable
    members = client.get(f"/api/v1/task-forces/{task_force_id}", headers=admin).json()["members"]
    assert [m["display_name"] for m in members] == ["Karin Berg", "[gallrad]"]
    _intact_and_replayable(client, admin)
    assert NAME.encode() not in _database_bytes(api_settings.var_dir)
    history = client.get(f"/api/v1/task-forces/{task_force_id}/history", headers=admin).json()
    assert history["items"][1]["data"]["display_name"] == "[gallrad]"


def test_record_level_gallring_erases_a_notes_text(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    api_settings: Settings,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    issue_id = open_issue()
    kept_id = open_issue(description="Macken i Grebo stänger.")
    task_force_id = form_task_force(kept_id)
    note = {"kind": "phone", "text": NOTE, "occurred_on": "2026-01-12"}
    added = client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker)
    assert added.status_code == 200, added.text

    _gallring(client, admin, record_ids=[issue_id])

    readable = _everything_readable(client, admin, issue_id, task_force_id)
    assert NOTE not in readable
    issue = client.get(f"/api/v1/issues/{issue_id}", headers=admin).json()
    assert issue["notes"][0]["text"] == "[gallrad]"
    assert issue["description"] == "[gallrad]"
    assert issue["title"] == "Butiken i Falerum kan stänga"  # titles stay clear
    kept = client.get(f"/api/v1/issues/{kept_id}", headers=admin).json()
    assert kept["description"] == "Macken i Grebo stänger."
    _intact_and_replayable(client, admin)
    assert NOTE.encode() not in _database_bytes(api_settings.var_dir)


def test_gallring_is_for_admins_of_the_records_municipality(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    body = {"decision_reference": "KS 1", "reason": "Plan.", "record_ids": [issue_id]}
    assert client.post("/api/v1/gallring", json=body, headers=caseworker).status_code == 403
    foreign = auth("sven.admin", "admin", "2182")
    assert client.post("/api/v1/gallring", json=body, headers=foreign).status_code == 404
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    empty = {"decision_reference": "KS 1", "reason": "Plan."}
    assert client.post("/api/v1/gallring", json=empty, headers=admin).status_code == 422


def test_personal_fields_are_stored_as_ciphertext(
    client: TestClient,
    api_settings: Settings,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue(description="Beskrivning med Qvarnstedt")
    form_task_force(issue_id)
    events = client.app.state.samverkan.events  # type: ignore[attr-defined]
    with events.reading() as session:
        table = events.recorder.events_record_cls.__table__
        states = b"".join(
            bytes(r[0]) for r in session.execute(table.select().with_only_columns(table.c.state))
        )
    assert b"Qvarnstedt" not in states and b"Karin Berg" not in states
    assert b"__sealed__" in states
    assert b"Butiken i Falerum" in states  # titles stay clear


def test_record_level_gallring_leaves_no_trigram_of_the_text_in_the_search_index(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    api_settings: Settings,
    open_issue: Callable[..., str],
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    issue_id = open_issue(description=f"Kontakten heter {CODE_WORD.upper()} på torget.")
    kept_id = open_issue(title="Macken i Grebo stänger")
    trigrams = [CODE_WORD[i : i + 3].encode() for i in range(len(CODE_WORD) - 2)]
    found = client.get(f"/api/v1/issues?q={CODE_WORD}", headers=admin).json()["items"]
    assert [i["id"] for i in found] == [issue_id]
    held = _search_index_bytes(api_settings.var_dir)
    assert all(t in held for t in trigrams)  # the check below can see them

    _gallring(client, admin, record_ids=[issue_id])

    assert client.get(f"/api/v1/issues?q={CODE_WORD}", headers=admin).json()["items"] == []
    held = _search_index_bytes(api_settings.var_dir)
    assert [t for t in trigrams if t in held] == []
    kept = client.get("/api/v1/issues?q=grebo", headers=admin).json()["items"]
    assert [i["id"] for i in kept] == [kept_id]  # the index still serves the others
    assert CODE_WORD.encode() not in _database_bytes(api_settings.var_dir)
