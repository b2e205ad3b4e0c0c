"""Corrections over HTTP: notes corrected or withdrawn, adopted decisions corrected, each with a
reason; future business dates refused; the same member twice refused; dialogue plans retired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import TODAY, Headers

YESTERDAY, TOMORROW = (
    (TODAY - timedelta(days=1)).isoformat(),
    (TODAY + timedelta(days=1)).isoformat(),
)
NOTE = {"kind": "meeting", "text": "Möte med byalaget i Falerum.", "occurred_on": YESTERDAY}


def add_note(client: TestClient, headers: Headers, issue_id: str, **overrides: Any) -> str:
    answer = client.post(
        f"/api/v1/issues/{issue_id}/notes", json={**NOTE, **overrides}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    notes = client.get(f"/api/v1/issues/{issue_id}", headers=headers).json()["notes"]
    return str(notes[-1]["note_id"])


def notes_of(client: TestClient, headers: Headers, issue_id: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/issues/{issue_id}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["notes"]


def test_a_corrected_note_shows_the_current_text_marked_and_history_keeps_both(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    note_id = add_note(client, caseworker, issue_id)
    path = f"/api/v1/issues/{issue_id}/notes/{note_id}/correct"
    body = {"text": "Möte med byalaget i Falerums bygdegård.", "reason": "Fel lokal angavs."}
    corrected = client.post(path, json={**body, "occurred_on": "2025-03-01"}, headers=caseworker)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 3
    [note] = notes_of(client, caseworker, issue_id)
    assert note["note_id"] == note_id
    assert (note["text"], note["occurred_on"]) == (body["text"], "2025-03-01")
    assert (note["corrected"], note["withdrawn"]) == (True, False)
    [before] = notes_of(client, caseworker, issue_id, version=2)  # time travel: as it read
    assert (before["text"], before["corrected"]) == (NOTE["text"], False)
    history = client.get(f"/api/v1/issues/{issue_id}/history", headers=auth(role="auditor"))
    kinds = [(e["type"], e["data"].get("text")) for e in history.json()["items"]]
    assert kinds[1:] == [
        ("Issue.NoteAdded", NOTE["text"]),
        ("Issue.NoteCorrected", body["text"]),
    ]


def test_a_withdrawn_note_stays_marked_and_takes_no_more_corrections(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    note_id = add_note(client, caseworker, issue_id)
    base = f"/api/v1/issues/{issue_id}/notes/{note_id}"
    withdrawn = client.post(
        f"{base}/withdraw", json={"reason": "Skickad till fel ärende."}, headers=caseworker
    )
    assert withdrawn.status_code == 200, withdrawn.text
    [note] = notes_of(client, caseworker, issue_id)
    assert (note["withdrawn"], note["text"]) == (True, NOTE["text"])
    again = client.post(f"{base}/correct", json={"text": "Ny", "reason": "x"}, headers=caseworker)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


def test_a_correction_needs_a_reason_a_change_and_a_known_note(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    note_id = add_note(client, caseworker, issue_id)
    base = f"/api/v1/issues/{issue_id}/notes"
    no_reason = client.post(f"{base}/{note_id}/correct", json={"text": "Ny"}, headers=caseworker)
    nothing = client.post(f"{base}/{note_id}/correct", json={"reason": "x"}, headers=caseworker)
    future = client.post(
        f"{base}/{note_id}/correct",
        json={"occurred_on": TOMORROW, "reason": "x"},
        headers=caseworker,
    )
    assert [r.status_code for r in (no_reason, nothing, future)] == [422, 422, 422]
    unknown = client.post(
        f"{base}/{issue_id}/withdraw", json={"reason": "Fel."}, headers=caseworker
    )
    assert unknown.status_code == 404
    assert client.get(f"/api/v1/issues/{issue_id}", headers=caseworker).json()["version"] == 2


def test_future_business_dates_are_422(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    note = client.post(
        f"/api/v1/issues/{issue_id}/notes",
        json={**NOTE, "occurred_on": TOMORROW},
        headers=caseworker,
    )
    assert note.status_code == 422
    assert [e["field"] for e in note.json()["errors"]] == ["occurred_on"]
    decision_id = propose(client, caseworker, issue_id)
    adopt = client.post(
        f"/api/v1/decisions/{decision_id}/adopt", json={"decided_on": TOMORROW}, headers=caseworker
    )
    assert adopt.status_code == 422
    outcome = {
        "issue_id": issue_id,
        "decision_ids": [],
        "summary": "Butiken öppen sex dagar i veckan.",
        "indicators": [],
        "observed_on": TOMORROW,
    }
    assert client.post("/api/v1/outcomes", json=outcome, headers=caseworker).status_code == 422
    today = client.post(
        f"/api/v1/decisions/{decision_id}/adopt",
        json={"decided_on": TODAY.isoformat()},
        headers=caseworker,
    )
    assert today.status_code == 200


def propose(client: TestClient, headers: Headers, issue_id: str) -> str:
    body = {
        "issue_id": issue_id,
        "title": "Stöd till butiken i Falerum",
        "rationale": "Närmaste butik ligger 35 km bort.",
        "decision_body": "Kommunstyrelsen",
    }
    answer = client.post("/api/v1/decisions", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_an_adopted_decision_can_be_corrected_with_a_reason(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    decision_id = propose(client, caseworker, issue_id)
    path = f"/api/v1/decisions/{decision_id}"
    correction = {"decided_on": "2024-01-20", "reference": "KS 2024/123", "reason": "Fel år."}
    assert client.post(f"{path}/correct", json=correction, headers=caseworker).status_code == 409
    adopted = client.post(f"{path}/adopt", json={"decided_on": YESTERDAY}, headers=caseworker)
    assert adopted.status_code == 200
    corrected = client.post(f"{path}/correct", json=correction, headers=caseworker)
    assert (corrected.status_code, corrected.json()["version"]) == (200, 3)
    view = client.get(path, headers=caseworker).json()
    assert (view["decided_on"], view["reference"], view["status"]) == (
        "2024-01-20",
        "KS 2024/123",
        "adopted",
    )
    reasonless = client.post(f"{path}/correct", json={"reference": "KS 1"}, headers=caseworker)
    assert reasonless.status_code == 422
    timeline = client.get(
        "/api/v1/exports/timeline", params={"issue_id": issue_id}, headers=caseworker
    ).json()["items"]
    assert {"date": "2024-01-20", "kind": "decision_corrected"}.items() <= next(
        e for e in timeline if e["kind"] == "decision_corrected"
    ).items()


def test_the_same_member_twice_is_409(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    task_force_id = form_task_force(open_issue())
    member = {"display_name": "Lars Ek", "organisation": "Falerums byalag", "role": "ordförande"}
    path = f"/api/v1/task-forces/{task_force_id}/members"
    assert client.post(path, json=member, headers=caseworker).status_code == 200
    twice = client.post(path, json={**member, "role": "kassör"}, headers=caseworker)
    assert twice.status_code == 409
    assert "already a member" in twice.json()["detail"]


def test_a_retired_dialogue_plan_leaves_the_cycle_and_can_be_planned_again(
    client: TestClient, caseworker: Headers
) -> None:
    plan = "/api/v1/localities/Dikanas/dialogue-plan"
    body = {"every_months": 4, "partner": "Dikanäs byalag"}
    assert client.put(plan, json=body, headers=caseworker).status_code == 201
    retired = client.delete(plan, headers=caseworker)
    assert (retired.status_code, retired.json()["version"]) == (200, 2)
    assert client.get(plan, headers=caseworker).status_code == 404
    assert client.delete(plan, headers=caseworker).status_code == 404
    cycle = client.get("/api/v1/insights/dialogue-cycle", headers=caseworker).json()["items"]
    assert cycle == []
    again = client.put(plan, json={**body, "every_months": 6}, headers=caseworker)
    assert again.status_code == 200
    assert client.get(plan, headers=caseworker).json()["every_months"] == 6
    cycle = client.get("/api/v1/insights/dialogue-cycle", headers=caseworker).json()["items"]
    assert [i["locality"] for i in cycle] == ["Dikanas"]
    never = client.delete("/api/v1/localities/Dikanäs/dialogue-plan", headers=caseworker)
    assert never.status_code == 404


def test_the_dialogue_cycle_counts_notes_as_corrected_and_not_withdrawn(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    plan = {"every_months": 4, "partner": "Falerums byalag", "starts_on": "2024-01-15"}
    assert client.put(
        "/api/v1/localities/Falerum/dialogue-plan", json=plan, headers=caseworker
    ).is_success
    issue_id = open_issue()
    long_ago = (TODAY - timedelta(days=300)).isoformat()
    old = add_note(client, caseworker, issue_id, occurred_on=long_ago)
    recent = add_note(client, caseworker, issue_id)

    def last_dialogue() -> Any:
        items = client.get("/api/v1/insights/dialogue-cycle", headers=caseworker).json()["items"]
        return items[0]["last_dialogue_on"]

    assert last_dialogue() == YESTERDAY
    base = f"/api/v1/issues/{issue_id}/notes"
    withdrawn = {"reason": "Mötet blev inställt."}
    assert client.post(f"{base}/{recent}/withdraw", json=withdrawn, headers=caseworker).is_success
    assert last_dialogue() == long_ago
    redated = {"occurred_on": "2025-06-01", "reason": "Fel datum."}
    assert client.post(f"{base}/{old}/correct", json=redated, headers=caseworker).is_success
    assert last_dialogue() == "2025-06-01"
