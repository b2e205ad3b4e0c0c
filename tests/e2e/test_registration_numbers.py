"""Registration numbers (diarienummer) over HTTP: given at opening, shown, searched, exported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers

YEAR = TODAY.year


def number(serial: int, municipality: str = ÅTVIDABERG) -> str:
    return f"{municipality}-{YEAR}/{serial:04d}"


def view(client: TestClient, headers: Headers, issue_id: str) -> dict[str, object]:
    response = client.get(f"/api/v1/issues/{issue_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_issues_are_numbered_per_municipality_from_one_at_opening(
    client: TestClient, auth: Callable[..., Headers], open_issue: Callable[..., str]
) -> None:
    åtvidaberg, söderhamn = auth(), auth("per.sund", "caseworker", SÖDERHAMN)
    first, second = open_issue(), open_issue(title="Drivmedel i Falerum")
    trönö = open_issue(söderhamn, municipality=SÖDERHAMN, locality="Trönö")
    assert view(client, åtvidaberg, first)["registration_number"] == number(1)
    assert view(client, åtvidaberg, second)["registration_number"] == number(2)
    assert view(client, söderhamn, trönö)["registration_number"] == number(1, SÖDERHAMN)


def test_a_split_off_child_gets_the_next_number(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    parent = open_issue()
    split = client.post(
        f"/api/v1/issues/{parent}/split",
        json={"title": "Paketutlämning", "description": "Ombud i butiken."},
        headers=caseworker,
    )
    assert split.status_code == 201, split.text
    assert view(client, caseworker, split.json()["id"])["registration_number"] == number(2)


def test_the_list_filters_by_number_and_q_finds_it(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    open_issue()
    second = open_issue(title="Drivmedel i Falerum")
    listed = client.get(
        "/api/v1/issues", params={"registration_number": number(2)}, headers=caseworker
    ).json()["items"]
    assert [(i["id"], i["registration_number"]) for i in listed] == [(second, number(2))]
    for q in (number(2), f"{YEAR}/0002", f"{YEAR}/2"):
        found = client.get("/api/v1/issues", params={"q": q}, headers=caseworker).json()
        assert [i["id"] for i in found["items"]] == [second], q
    bad = client.get("/api/v1/issues", params={"registration_number": "KS 2024/123"})
    assert bad.status_code in (401, 422)
    malformed = client.get(
        "/api/v1/issues", params={"registration_number": "KS 2024/123"}, headers=caseworker
    )
    assert malformed.status_code == 422


def test_the_csv_and_html_timelines_show_the_number(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    open_issue()
    exported = client.get("/api/v1/exports/timeline", params={"format": "csv"}, headers=caseworker)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "registration_number"
    assert rows[0][:2] == ["date", "kind"]
    assert rows[1][-1] == number(1)
    page = client.get("/api/v1/exports/timeline", params={"format": "html"}, headers=caseworker)
    assert number(1) in page.text
    document = client.get(
        "/api/v1/exports/timeline", params={"format": "json"}, headers=caseworker
    ).json()
    assert "registration_number" not in document["items"][0]  # JSON keeps the contract's fields
