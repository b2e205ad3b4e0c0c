"""The contract's command conventions, over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import Headers, issue_body


def test_open_issue_answers_201_with_location_etag_and_position(
    client: TestClient, caseworker: Headers
) -> None:
    response = client.post("/api/v1/issues", json=issue_body(), headers=caseworker)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "version", "position"}
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/issues/{body['id']}"
    view = client.get(response.headers["Location"], headers=caseworker)
    assert view.json()["title"] == "Butiken i Falerum kan stänga"
    assert view.headers["ETag"] == '"1"'


def test_a_stale_if_match_is_412_and_writes_nothing(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    path = f"/api/v1/issues/{issue_id}"
    assert (
        client.patch(
            path, json={"title": "Ny rubrik"}, headers={**caseworker, "If-Match": '"1"'}
        ).status_code
        == 200
    )
    stale = client.patch(
        path, json={"title": "Annan rubrik"}, headers={**caseworker, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    view = client.get(path, headers=caseworker).json()
    assert (view["version"], view["title"]) == (2, "Ny rubrik")


def test_a_repeated_idempotency_key_returns_the_first_answer_and_writes_nothing(
    client: TestClient, caseworker: Headers
) -> None:
    headers = {**caseworker, "Idempotency-Key": "open-falerum-1"}
    first = client.post("/api/v1/issues", json=issue_body(), headers=headers)
    again = client.post("/api/v1/issues", json=issue_body(), headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    listed = client.get("/api/v1/issues", headers=caseworker).json()["items"]
    assert len(listed) == 1
    other = client.post("/api/v1/issues", json=issue_body(title="Annat"), headers=headers)
    assert other.status_code == 422


def test_garbage_json_is_400_problem(client: TestClient, caseworker: Headers) -> None:
    response = client.post(
        "/api/v1/issues",
        content=b"{not json",
        headers={**caseworker, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_a_body_over_one_mebibyte_is_413_problem(client: TestClient, caseworker: Headers) -> None:
    response = client.post(
        "/api/v1/issues",
        content=b" " * (1024 * 1024 + 1),
        headers={**caseworker, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_one_422_lists_every_failing_field(client: TestClient, caseworker: Headers) -> None:
    body = issue_body(title="x" * 201, locality="   ", category="bakery", surprise=1)
    response = client.post("/api/v1/issues", json=body, headers=caseworker)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"title", "locality", "category", "surprise"}


def test_a_handover_to_a_non_member_is_409(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    task_force_id = form_task_force(open_issue())
    response = client.post(
        f"/api/v1/task-forces/{task_force_id}/handover",
        json={
            "to_member_id": "00000000-0000-4000-8000-000000000000",
            "note": "Allt finns i ärendet",
        },
        headers=caseworker,
    )
    assert response.status_code == 409


def test_add_member_answers_200_with_member_id_and_remove_answers_200(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    task_force_id = form_task_force(open_issue())
    added = client.post(
        f"/api/v1/task-forces/{task_force_id}/members",
        headers=caseworker,
        json={"display_name": "Per Ek", "organisation": "Byalaget", "role": "kassör"},
    )
    assert added.status_code == 200
    member_id = added.json()["member_id"]
    removed = client.delete(
        f"/api/v1/task-forces/{task_force_id}/members/{member_id}", headers=caseworker
    )
    assert removed.status_code == 200
    assert removed.json()["version"] == 3


def test_a_foreign_record_is_404_like_a_missing_one(
    client: TestClient, auth: Callable[..., Headers], open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    söderhamn = auth("lars.nord", "caseworker", "2182")
    assert client.get(f"/api/v1/issues/{issue_id}", headers=söderhamn).status_code == 404
    assert client.get("/api/v1/issues", headers=söderhamn).json()["items"] == []
    note = {"kind": "phone", "text": "Samtal", "occurred_on": "2024-03-01"}
    assert (
        client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=söderhamn).status_code
        == 404
    )


def test_a_body_municipality_other_than_the_callers_is_403(
    client: TestClient, caseworker: Headers
) -> None:
    response = client.post(
        "/api/v1/issues", json=issue_body(municipality="2182"), headers=caseworker
    )
    assert response.status_code == 403


def test_without_a_token_every_api_route_is_401(client: TestClient) -> None:
    assert client.get("/api/v1/issues").status_code == 401
    assert client.post("/api/v1/issues", json=issue_body()).status_code == 401
