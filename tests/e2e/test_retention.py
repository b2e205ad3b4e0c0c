"""Retention rules, the records due for gallring, and gallring of them through the same command."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import ÅTVIDABERG, Headers


def test_closed_records_fall_due_as_the_plan_says_and_gallring_takes_them(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    put = client.put("/api/v1/retention/groceries", json={"keep_years": 0}, headers=admin)
    assert put.status_code == 200 and put.headers["ETag"] == '"1"'
    assert client.put("/api/v1/retention/fuel", json={"keep_years": None}, headers=admin).is_success
    rules = client.get("/api/v1/retention", headers=admin).json()["items"]
    assert rules == [
        {"category": "fuel", "keep_years": None},
        {"category": "groceries", "keep_years": 0},
    ]
    due_issue = open_issue()
    task_force_id = form_task_force(due_issue)
    kept_issue = open_issue(category="fuel")
    open_issue()  # still open: never due
    for issue_id in (due_issue, kept_issue):
        closed = client.post(
            f"/api/v1/issues/{issue_id}/close", json={"reason": "Klart."}, headers=caseworker
        )
        assert closed.status_code == 200, closed.text

    (due,) = client.get("/api/v1/gallring/due", headers=admin).json()["items"]
    assert due["issue_id"] == due_issue and due["record_ids"] == [due_issue, task_force_id]
    body = {"decision_reference": "IHP 2026 §3", "reason": "Gallringsfrist har löpt ut."}
    done = client.post(
        "/api/v1/gallring", json={**body, "record_ids": due["record_ids"]}, headers=admin
    )
    assert done.status_code == 200, done.text
    assert client.get("/api/v1/gallring/due", headers=admin).json()["items"] == []
    issue = client.get(f"/api/v1/issues/{due_issue}", headers=admin).json()
    assert issue["description"] == "[gallrad]"


def test_retention_is_set_by_admins_with_years_of_zero_or_more(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    body = {"keep_years": 5}
    assert client.put("/api/v1/retention/fuel", json=body, headers=caseworker).status_code == 403
    assert (
        client.put("/api/v1/retention/fuel", json={"keep_years": -1}, headers=admin).status_code
        == 422
    )
    assert client.put("/api/v1/retention/bread", json=body, headers=admin).status_code == 422
    assert client.get("/api/v1/retention", headers=caseworker).status_code == 403
