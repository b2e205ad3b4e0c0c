"""History per record, the global log and verification, over HTTP, for each role."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers, issue_body

Auth = Callable[..., Headers]


def record_outcome(client: TestClient, caseworker: Headers, issue_id: str) -> str:
    body = {
        "issue_id": issue_id,
        "decision_ids": [],
        "summary": "Servicepunkten i Falerum har öppnat.",
        "indicators": [{"name": "Öppettimmar", "value": "42.50", "unit": "timmar/vecka"}],
        "observed_on": TODAY.isoformat(),
    }
    response = client.post("/api/v1/outcomes", json=body, headers=caseworker)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def history(client: TestClient, path: str, headers: Headers, **params: Any) -> Any:
    return client.get(f"{path}/history", headers=headers, params=params)


def test_an_issue_history_lists_every_event_oldest_first_with_provenance(
    client: TestClient, caseworker: Headers, auth: Auth, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    path = f"/api/v1/issues/{issue_id}"
    headers = {**caseworker, "X-Request-ID": "revision-2024-falerum"}
    client.patch(path, json={"title": "Dagligvaror i Falerum"}, headers=headers)
    note = {"kind": "phone", "text": "Samtal med byalaget.", "occurred_on": TODAY.isoformat()}
    client.post(f"{path}/notes", json=note, headers=caseworker)

    response = history(client, path, auth("ulla.revisor", "auditor", "*"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["version"], i["type"]) for i in items] == [
        (1, "Issue.Opened"),
        (2, "Issue.Edited"),
        (3, "Issue.NoteAdded"),
    ]
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    assert set(items[0]) == {
        "position",
        "version",
        "type",
        "occurred_at",
        "actor",
        "command_id",
        "correlation_id",
        "data",
    }
    assert items[0]["actor"] == {
        "user_id": "anna.lind",
        "role": "caseworker",
        "municipality": "0561",
    }
    assert items[0]["data"] == {
        "municipality": ÅTVIDABERG,
        "locality": "Falerum",
        "title": "Butiken i Falerum kan stänga",
        "description": issue_body()["description"],
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        "parent_id": None,
    }
    assert items[1]["data"] == {"changes": {"title": "Dagligvaror i Falerum"}}
    assert items[2]["data"] == {**note, "public": False}
    assert items[0]["command_id"] != items[1]["command_id"]
    assert items[1]["correlation_id"] == "revision-2024-falerum"


def test_history_data_keeps_decimals_and_dates_as_strings(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    outcome_id = record_outcome(client, caseworker, open_issue())
    items = history(client, f"/api/v1/outcomes/{outcome_id}", caseworker).json()["items"]
    data = items[0]["data"]
    assert data["indicators"] == [
        {
            "name": "Öppettimmar",
            "value": "42.50",
            "unit": "timmar/vecka",
            "baseline": None,
            "target": None,
        }
    ]
    assert data["observed_on"] == TODAY.isoformat()
    assert data["decision_ids"] == []


def test_history_pages_with_an_opaque_cursor(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    path = f"/api/v1/issues/{issue_id}"
    for n in range(4):
        client.patch(path, json={"title": f"Rubrik {n}"}, headers=caseworker)
    first = history(client, path, caseworker, limit=2).json()
    second = history(client, path, caseworker, limit=2, cursor=first["next_cursor"]).json()
    third = history(client, path, caseworker, limit=2, cursor=second["next_cursor"]).json()
    versions = [i["version"] for page in (first, second, third) for i in page["items"]]
    assert versions == [1, 2, 3, 4, 5]
    assert third["next_cursor"] is None
    assert history(client, path, caseworker, limit=501).status_code == 422
    assert history(client, path, caseworker, cursor="not-a-cursor").status_code == 422
    huge = base64.urlsafe_b64encode(json.dumps({"p": 10**30}).encode()).decode()
    assert history(client, path, caseworker, cursor=huge).status_code == 422


def test_a_foreign_or_other_kind_of_record_has_no_history(
    client: TestClient,
    caseworker: Headers,
    auth: Auth,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue()
    task_force_id = form_task_force(issue_id)
    söderhamn = auth("per.ek", "caseworker", SÖDERHAMN)
    assert history(client, f"/api/v1/issues/{issue_id}", söderhamn).status_code == 404
    assert history(client, f"/api/v1/issues/{task_force_id}", caseworker).status_code == 404
    assert history(client, f"/api/v1/decisions/{issue_id}", caseworker).status_code == 404
    other_auditor = auth("ulla.revisor", "auditor", SÖDERHAMN)
    response = history(client, f"/api/v1/task-forces/{task_force_id}", other_auditor)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    formed = history(client, f"/api/v1/task-forces/{task_force_id}", caseworker).json()
    assert formed["items"][0]["type"] == "TaskForce.Formed"


def test_evaluators_may_not_read_history_nor_the_log(
    client: TestClient, auth: Auth, open_issue: Callable[..., str]
) -> None:
    evaluator = auth("eva.forskare", "evaluator", "*")
    assert history(client, f"/api/v1/issues/{open_issue()}", evaluator).status_code == 403
    assert client.get("/api/v1/audit/events", headers=evaluator).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=evaluator).status_code == 403


def test_caseworkers_read_history_but_not_the_global_log(
    client: TestClient, caseworker: Headers
) -> None:
    assert client.get("/api/v1/audit/events", headers=caseworker).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=caseworker).status_code == 403


def test_the_global_log_holds_the_callers_scope_with_the_record_named(
    client: TestClient, auth: Auth, open_issue: Callable[..., str]
) -> None:
    falerum = open_issue()
    trönö = open_issue(
        auth("per.ek", "caseworker", SÖDERHAMN), municipality=SÖDERHAMN, locality="Trönö"
    )
    local = client.get("/api/v1/audit/events", headers=auth("ulla", "auditor", SÖDERHAMN))
    assert local.status_code == 200
    assert [(i["aggregate_type"], i["aggregate_id"]) for i in local.json()["items"]] == [
        ("issue", trönö)
    ]
    national = client.get("/api/v1/audit/events", headers=auth("ulla", "auditor", "*")).json()
    assert [i["aggregate_id"] for i in national["items"]] == [falerum, trönö]
    assert national["next_cursor"] is None
    first = national["items"][0]["position"]
    admin = auth("sara.admin", "admin", SÖDERHAMN)
    after = client.get("/api/v1/audit/events", headers=admin, params={"after": first}).json()
    assert [i["aggregate_id"] for i in after["items"]] == [trönö]


def test_verify_reports_only_counts_and_hashes_to_any_auditor(
    client: TestClient, auth: Auth, open_issue: Callable[..., str]
) -> None:
    open_issue()
    response = client.get("/api/v1/audit/verify", headers=auth("ulla", "auditor", SÖDERHAMN))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"intact", "checked", "first_broken_position", "head", "incidents"}
    assert body["incidents"] == []
    assert (body["intact"], body["checked"], body["first_broken_position"]) == (True, 1, None)


def test_an_auditor_may_not_write(client: TestClient, auth: Auth) -> None:
    auditor = auth("ulla.revisor", "auditor", ÅTVIDABERG)
    assert client.post("/api/v1/issues", json=issue_body(), headers=auditor).status_code == 403


def test_the_schema_names_each_history_route_with_its_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for resource in ("issues", "task-forces", "decisions", "outcomes"):
        names = [
            p for p in paths if p.startswith(f"/api/v1/{resource}/") and p.endswith("/history")
        ]
        assert len(names) == 1
        assert {"401", "403", "404", "422"} <= set(paths[names[0]]["get"]["responses"])
    assert "/api/v1/audit/events" in paths
    assert "/api/v1/audit/verify" in paths
