"""Sekretess: a confidential note's text for caseworkers and admins of its municipality only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import ÅTVIDABERG, Headers

SECRET = "Hyresgästen har skulder hos kommunen"
LAGRUM = "OSL 21 kap. 7 §"


def test_a_confidential_note_is_read_as_the_lagrum_says(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    note = {"kind": "phone", "text": SECRET, "occurred_on": "2026-01-12", "public": True}
    note["confidential"] = {"lagrum": LAGRUM}
    assert client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker).is_success
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    for reader in (caseworker, admin):
        (shown,) = client.get(f"/api/v1/issues/{issue_id}", headers=reader).json()["notes"]
        assert shown["text"] == SECRET and shown["lagrum"] == LAGRUM

    auditor = auth("ulla.revisor", "auditor", ÅTVIDABERG)
    (shown,) = client.get(f"/api/v1/issues/{issue_id}", headers=auditor).json()["notes"]
    assert shown["text"] == "[sekretess]" and shown["lagrum"] == LAGRUM
    history = client.get(f"/api/v1/issues/{issue_id}/history", headers=auditor).text
    national = auth("riks.revisor", "auditor", "*")
    log = client.get("/api/v1/audit/events?limit=500", headers=national).text
    assert SECRET not in history and SECRET not in log and "[sekretess]" in log

    evaluator = auth("eva.utvarderare", "evaluator", "*")
    assert client.get(f"/api/v1/issues/{issue_id}", headers=evaluator).json()["notes"] == []
    export = client.get("/api/v1/exports/timeline?format=json", headers=evaluator).json()
    assert not [e for e in export["items"] if e["kind"] == "dialogue_noted"]


def test_a_blank_lagrum_is_refused(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    note = {"kind": "phone", "text": SECRET, "occurred_on": "2026-01-12"}
    note["confidential"] = {"lagrum": " "}
    answer = client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker)
    assert answer.status_code == 422


def test_corrections_of_a_confidential_note_are_as_secret_as_the_note(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    note = {"kind": "phone", "text": SECRET, "occurred_on": "2026-01-12", "public": True}
    note["confidential"] = {"lagrum": LAGRUM}
    assert client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker).is_success
    (added,) = client.get(f"/api/v1/issues/{issue_id}", headers=caseworker).json()["notes"]
    corrected_text, reason = "Hyresgästen har betalat skulderna", "Skulderna var betalda i maj"
    correction = {"text": corrected_text, "reason": reason}
    path = f"/api/v1/issues/{issue_id}/notes/{added['note_id']}"
    assert client.post(f"{path}/correct", json=correction, headers=caseworker).is_success
    withdrawal = {"reason": "Gäller hyresgästens skulder, fel ärende"}
    assert client.post(f"{path}/withdraw", json=withdrawal, headers=caseworker).is_success
    secrets = (corrected_text, reason, withdrawal["reason"])

    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    history = client.get(f"/api/v1/issues/{issue_id}/history", headers=admin).json()["items"]
    by_type = {item["type"]: item["data"] for item in history}
    assert by_type["Issue.NoteCorrected"]["text"] == corrected_text
    assert by_type["Issue.NoteCorrected"]["lagrum"] == LAGRUM
    assert by_type["Issue.NoteWithdrawn"]["reason"] == withdrawal["reason"]

    auditor = auth("ulla.revisor", "auditor", ÅTVIDABERG)
    national = auth("riks.revisor", "auditor", "*")
    for reader in (auditor, national):
        seen = [
            client.get(f"/api/v1/issues/{issue_id}", headers=reader).text,
            client.get(f"/api/v1/issues/{issue_id}/history", headers=reader).text,
            client.get("/api/v1/audit/events?limit=500", headers=reader).text,
            client.get("/api/v1/exports/timeline?format=json", headers=reader).text,
        ]
        assert not [s for s in secrets if any(s in text for text in seen)]
    history = client.get(f"/api/v1/issues/{issue_id}/history", headers=auditor).json()["items"]
    by_type = {item["type"]: item["data"] for item in history}
    assert by_type["Issue.NoteCorrected"]["text"] == "[sekretess]"
    assert by_type["Issue.NoteCorrected"]["reason"] == "[sekretess]"
    assert by_type["Issue.NoteWithdrawn"]["reason"] == "[sekretess]"

    evaluator = auth("eva.utvarderare", "evaluator", "*")
    export = client.get("/api/v1/exports/timeline?format=json", headers=evaluator).json()
    kinds = {e["kind"] for e in export["items"] if e["issue_id"] == issue_id}
    assert not kinds & {"dialogue_noted", "note_corrected", "note_withdrawn"}
    log = client.get("/api/v1/audit/events?limit=500", headers=evaluator)
    assert log.status_code != 200 or not [s for s in secrets if s in log.text]
