"""`delimiter=semicolon` on the CSV timeline, over HTTP and from `samverkan export timeline`.

Swedish spreadsheets write decimals with a comma, so they split fields on semicolons and open a
comma-separated file as one column. Comma stays the default (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from infrastructure.views.timeline import ENTRY_FIELDS
from tests.e2e.conftest import SÖDERHAMN, Headers
from tests.e2e.test_timeline_export import PATH, Programme, build_programme, samverkan_cli

HEADER = [*ENTRY_FIELDS, "registration_number"]  # the issue's diarienummer comes last


@pytest.fixture
def programme(client: TestClient, caseworker: Headers, auth: Callable[..., Headers]) -> Programme:
    return build_programme(client, caseworker, auth("lars.nord", "caseworker", SÖDERHAMN))


def rows(body: bytes, delimiter: str) -> list[list[str]]:
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def export(client: TestClient, headers: Headers, **params: str) -> bytes:
    response = client.get(PATH, params={"format": "csv", **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return response.content


def test_semicolons_separate_the_fields_when_asked(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    body = export(client, caseworker, delimiter="semicolon")
    first_line = body.decode("utf-8-sig").split("\r\n")[0]
    assert first_line == ";".join(HEADER)
    records = rows(body, ";")
    assert all(len(record) == len(HEADER) for record in records)
    titles = {record[HEADER.index("title")] for record in records[1:]}
    assert "Butiken i Falerum kan stänga" in titles


def test_comma_is_the_default_and_the_same_rows_come_either_way(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    default = export(client, caseworker)
    assert default.decode("utf-8-sig").startswith(",".join(HEADER) + "\r\n")
    assert default == export(client, caseworker, delimiter="comma")
    assert rows(default, ",") == rows(export(client, caseworker, delimiter="semicolon"), ";")


def test_a_text_with_a_semicolon_is_quoted(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    edit = {"title": "Butiken i Falerum; macken i Falerum"}
    answer = client.patch(f"/api/v1/issues/{programme.issue_id}", json=edit, headers=caseworker)
    assert answer.status_code == 200, answer.text
    body = export(client, caseworker, delimiter="semicolon")
    assert b'"Butiken i Falerum; macken i Falerum"' in body
    titles = {record[HEADER.index("title")] for record in rows(body, ";")}
    assert "Butiken i Falerum; macken i Falerum" in titles


def test_an_unknown_delimiter_is_a_422_naming_it(client: TestClient, caseworker: Headers) -> None:
    response = client.get(PATH, params={"format": "csv", "delimiter": "tab"}, headers=caseworker)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["query.delimiter"]


def test_the_schema_documents_the_choice(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][PATH]["get"]
    delimiter = next(p for p in operation["parameters"] if p["name"] == "delimiter")
    assert delimiter["in"] == "query" and not delimiter.get("required", False)


def test_the_cli_writes_semicolons_when_asked(programme: Programme, api_settings: Settings) -> None:
    result = samverkan_cli(api_settings, "--format", "csv", "--delimiter", "semicolon")
    assert result.returncode == 0, result.stderr
    records = rows(result.stdout, ";")
    assert records[0] == HEADER
    assert {record[HEADER.index("issue_id")] for record in records[1:]} >= {programme.issue_id}
