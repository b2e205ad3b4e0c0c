"""A service's opening and closing on the timeline of the issues in its locality: who, when and
why, in JSON, CSV, iCalendar and HTML, within the caller's municipality, pseudonymised for
evaluators."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import jsonschema
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from domain.locality import locality_id
from interfaces.exports.as_json import TIMELINE_JSON_SCHEMA
from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG, Headers, issue_body

PATH = "/api/v1/exports/timeline"
REASON = "Ägaren gick i pension och ingen tog över butiken."


@dataclass
class Falerum:
    locality_id: str
    service_id: str
    issue_id: str
    child_id: str
    later_id: str
    grebo_id: str


def post(client: TestClient, headers: Headers, path: str, body: dict[str, object]) -> dict:
    response = client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


@pytest.fixture
def falerum(client: TestClient, caseworker: Headers, auth: Callable[..., Headers]) -> Falerum:
    """Falerum's shop closed: two issues in Falerum (one with a sub-issue, one opened after the
    closing), one in Grebo, and one in a Söderhamn village that is also called Falerum."""
    issue_id = post(client, caseworker, "issues", issue_body())["id"]
    split = {"title": "Paketombud i Falerum", "description": "Paket", "category": "parcel_pickup"}
    child_id = post(client, caseworker, f"issues/{issue_id}/split", split)["id"]
    grebo_id = post(client, caseworker, "issues", issue_body(locality="Grebo"))["id"]
    söderhamn = auth("lars.nord", "caseworker", SÖDERHAMN)
    post(client, söderhamn, "issues", issue_body(municipality=SÖDERHAMN, locality="Falerum"))
    place = {"municipality": ÅTVIDABERG, "name": "Falerum", "latitude": 58.14, "longitude": 16.2}
    locality = post(client, caseworker, "localities", place)["id"]
    shop = {
        "kind": "groceries",
        "name": "Handlar'n",
        "operator": "Tempo",
        "opened_on": "2015-05-01",
    }
    service_id = post(client, caseworker, f"localities/{locality}/services", shop)["service_id"]
    closing = {"closed_on": "2025-02-28", "reason": REASON}
    post(client, caseworker, f"localities/{locality}/services/{service_id}/close", closing)
    later = issue_body(locality=" falerum", title="Ny butik i Falerum?")  # as the register matches
    later_id = post(client, caseworker, "issues", later)["id"]
    return Falerum(locality, service_id, issue_id, child_id, later_id, grebo_id)


def entries(client: TestClient, headers: Headers, kind: str, **params: str) -> list[dict]:
    response = client.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), TIMELINE_JSON_SCHEMA)
    return [i for i in response.json()["items"] if i["kind"] == kind]


def test_a_closing_shows_who_when_and_why_on_every_issue_in_its_locality(
    client: TestClient, caseworker: Headers, falerum: Falerum
) -> None:
    closings = entries(client, caseworker, "service_closed")
    assert {c["issue_id"] for c in closings} == {
        falerum.issue_id,
        falerum.child_id,
        falerum.later_id,
    }
    for closing in closings:
        assert closing["date"] == "2025-02-28"
        assert closing["title"] == f"Handlar'n: {REASON}"
        assert closing["actor_role"] == "caseworker"
        assert closing["record_type"] == "locality"
        assert (
            closing["record_id"] == falerum.locality_id == str(locality_id(ÅTVIDABERG, "Falerum"))
        )
        assert closing["municipality"] == ÅTVIDABERG
    openings = entries(client, caseworker, "service_opened")
    assert {(o["date"], o["title"]) for o in openings} == {("2015-05-01", "Handlar'n (Tempo)")}
    assert len(openings) == 3


def test_the_issue_filter_keeps_the_closing_on_that_issue_and_its_sub_issues(
    client: TestClient, caseworker: Headers, falerum: Falerum
) -> None:
    tree = entries(client, caseworker, "service_closed", issue_id=falerum.issue_id)
    assert {c["issue_id"] for c in tree} == {falerum.issue_id, falerum.child_id}
    assert entries(client, caseworker, "service_closed", issue_id=falerum.grebo_id) == []
    period = entries(client, caseworker, "service_closed", **{"from": "2025-03-01"})
    assert period == []
    parcels = entries(client, caseworker, "service_closed", category="parcel_pickup")
    assert [c["issue_id"] for c in parcels] == [falerum.child_id]


def test_another_municipality_never_sees_the_closing(
    client: TestClient, auth: Callable[..., Headers], falerum: Falerum
) -> None:
    söderhamn = auth("lars.nord", "caseworker", SÖDERHAMN)
    assert entries(client, söderhamn, "service_closed") == []
    assert entries(client, söderhamn, "service_opened") == []
    national = auth("forskare.1", "evaluator", "*")
    seen = entries(client, national, "service_closed", municipality=SÖDERHAMN)
    assert seen == []


def test_csv_and_html_show_the_closing_and_ics_has_it_once(
    client: TestClient, caseworker: Headers, falerum: Falerum
) -> None:
    table = client.get(PATH, params={"format": "csv"}, headers=caseworker).text.lstrip("\ufeff")
    rows = [r for r in csv.DictReader(io.StringIO(table)) if r["kind"] == "service_closed"]
    assert len(rows) == 3 and rows[0]["title"] == f"Handlar'n: {REASON}"
    page = client.get(PATH, params={"format": "html"}, headers=caseworker).text
    assert "Service stängd i orten" in page and REASON in page
    assert "anna.lind (caseworker)" in page
    english = client.get(PATH, params={"format": "html", "lang": "en"}, headers=caseworker).text
    assert "Service closed in the locality" in english
    calendar = Calendar.from_ical(
        client.get(PATH, params={"format": "ics"}, headers=caseworker).content
    )
    services = [e for e in calendar.walk("VEVENT") if falerum.service_id in str(e["uid"])]
    assert sorted(str(e["uid"]).split("@")[0] for e in services) == [
        f"{falerum.service_id}-closed",
        f"{falerum.service_id}-opened",
    ]
    closed = next(e for e in services if "closed" in str(e["uid"]))
    assert closed.decoded("dtstart").isoformat() == "2025-02-28"
    assert REASON in str(closed["summary"])


def test_an_evaluator_sees_why_but_not_who_by_name(
    client: TestClient, auth: Callable[..., Headers], falerum: Falerum
) -> None:
    evaluator = auth("forskare.1", "evaluator", ÅTVIDABERG)
    closings = entries(client, evaluator, "service_closed")
    assert len(closings) == 3 and all(REASON in c["title"] for c in closings)
    for fmt in ("json", "csv", "ics", "html"):
        body = client.get(PATH, params={"format": fmt}, headers=evaluator).text
        assert "anna.lind" not in body, fmt
    page = client.get(PATH, params={"format": "html"}, headers=evaluator).text
    assert "Service stängd i orten" in page
    view = client.get(f"/api/v1/localities/{falerum.locality_id}", headers=evaluator).json()
    closed_by = view["services"][0]["closed_by"]
    assert closed_by.startswith("Handläggare ") and closed_by != "anna.lind"
    listed = client.get("/api/v1/localities", headers=evaluator).json()["items"]
    assert "anna.lind" not in str(listed)
