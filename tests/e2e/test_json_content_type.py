"""A body not sent as JSON is 415 Unsupported Media Type, saying what to send; nothing is written.

`curl -d` sends `application/x-www-form-urlencoded`, and some clients send no content type at
all: both used to get a 422 "Input should be a valid dictionary", which names no fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Headers, issue_body

BODY = json.dumps(issue_body()).encode()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_sent_as_json_is_415_and_says_what_to_send(
    client: TestClient, caseworker: Headers, content_type: str | None
) -> None:
    headers = {**caseworker, **({"Content-Type": content_type} if content_type else {})}
    response = client.post("/api/v1/issues", content=BODY, headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Unsupported Media Type"
    assert "Content-Type: application/json" in problem["detail"]
    assert client.get("/api/v1/issues", headers=caseworker).json()["items"] == []


def test_every_kind_of_command_route_answers_415(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    for method, path in (
        ("PATCH", f"/api/v1/issues/{issue_id}"),
        ("PUT", f"/api/v1/issues/{issue_id}/responsibility"),
        ("POST", f"/api/v1/issues/{issue_id}/notes"),
    ):
        headers = {**caseworker, "Content-Type": "text/plain"}
        response = client.request(method, path, content=b'{"title": "x"}', headers=headers)
        assert response.status_code == 415, (method, path, response.text)
    view = client.get(f"/api/v1/issues/{issue_id}", headers=caseworker).json()
    assert view["version"] == 1


def test_json_and_json_suffixed_types_are_accepted(client: TestClient, caseworker: Headers) -> None:
    for content_type in ("application/json", "application/json; charset=utf-8"):
        headers = {**caseworker, "Content-Type": content_type}
        assert client.post("/api/v1/issues", content=BODY, headers=headers).status_code == 201


def test_no_token_is_still_401_first(client: TestClient) -> None:
    response = client.post("/api/v1/issues", content=BODY, headers={"Content-Type": "text/plain"})
    assert response.status_code == 401


def test_a_missing_body_is_still_a_422_naming_it(client: TestClient, caseworker: Headers) -> None:
    response = client.post("/api/v1/issues", headers=caseworker)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_the_schema_documents_415_on_every_operation_with_a_body(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = [op for item in paths.values() for op in item.values() if "requestBody" in op]
    assert len(operations) >= 25
    for operation in operations:
        assert "415" in operation["responses"], operation["operationId"]
        problem = operation["responses"]["415"]["content"]["application/problem+json"]
        assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
