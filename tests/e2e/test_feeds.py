"""Calendar feeds: a URL that carries its own revocable token, good for its `.ics` only."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.e2e.conftest import ÅTVIDABERG, Headers

CYCLE = "/api/v1/insights/dialogue-cycle.ics"


def subscribe(client: TestClient, headers: Headers, kind: str, **params: str) -> dict[str, str]:
    created = client.post("/api/v1/feeds", json={"kind": kind, "params": params}, headers=headers)
    assert created.status_code == 201, created.text
    body = dict(created.json())
    body["token"] = dict(parse_qsl(urlsplit(body["url"]).query))["access_token"]
    return body


def plan(client: TestClient, headers: Headers) -> None:
    body = {"every_months": 4, "partner": "Falerums byalag", "starts_on": "2026-01-15"}
    answer = client.put("/api/v1/localities/Falerum/dialogue-plan", json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text


def test_the_dialogue_cycle_calendar_takes_a_feed_token_in_its_url(
    client: TestClient, caseworker: Headers
) -> None:
    plan(client, caseworker)
    feed = subscribe(client, caseworker, "dialogue-cycle", municipality=ÅTVIDABERG)
    answer = client.get(feed["url"])
    assert answer.status_code == 200, answer.text
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(answer.content).walk("VEVENT")]


def test_no_api_token_is_accepted_in_a_url_not_even_an_admins(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    admin = auth("sara.ek", "admin", ÅTVIDABERG)["Authorization"].removeprefix("Bearer ")
    for path in (CYCLE, "/api/v1/exports/timeline?format=ics"):
        answer = client.get(path, params={"access_token": admin})
        assert answer.status_code == 401, path
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_feed_token_reads_its_own_feed_only(client: TestClient, caseworker: Headers) -> None:
    feed = subscribe(client, caseworker, "dialogue-cycle")
    token = feed["token"]
    timeline = client.get(
        "/api/v1/exports/timeline", params={"format": "ics", "access_token": token}
    )
    assert timeline.status_code == 401  # another feed
    as_header = client.get("/api/v1/issues", headers={"Authorization": f"Bearer {token}"})
    assert as_header.status_code == 401  # never a key to the API


def test_a_revoked_feed_answers_401_from_then_on(client: TestClient, caseworker: Headers) -> None:
    feed = subscribe(client, caseworker, "dialogue-cycle")
    assert client.get(feed["url"]).status_code == 200
    revoked = client.delete(f"/api/v1/feeds/{feed['id']}", headers=caseworker)
    assert revoked.status_code == 200, revoked.text
    assert client.get(feed["url"]).status_code == 401


def test_only_the_owner_or_an_admin_of_its_municipality_revokes_a_feed(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    feed = subscribe(client, caseworker, "dialogue-cycle")
    colleague = auth("erik.holm", "caseworker", ÅTVIDABERG)
    foreign_admin = auth("per.sund", "admin", "2182")
    for headers in (colleague, foreign_admin):
        assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=headers).status_code == 404
    admin = auth("sara.ek", "admin", ÅTVIDABERG)
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin).status_code == 200


def test_a_feed_with_a_parameter_its_kind_does_not_take_is_422(
    client: TestClient, caseworker: Headers
) -> None:
    body = {"kind": "dialogue-cycle", "params": {"issue_id": "x"}}
    answer = client.post("/api/v1/feeds", json=body, headers=caseworker)
    assert answer.status_code == 422
