"""The dialogue cycle (årshjul): plans per locality, the overdue list and the calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar

from domain.dialogue_plan import add_months
from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers

PLAN = "/api/v1/localities/Falerum/dialogue-plan"
CYCLE = "/api/v1/insights/dialogue-cycle"


def plan(client: TestClient, headers: Headers, path: str = PLAN, **body: Any) -> Any:
    body = {"every_months": 4, "partner": "Falerums byalag", **body}
    return client.put(path, json=body, headers=headers)


def noted(client: TestClient, headers: Headers, issue_id: str, days_ago: int, kind: str) -> None:
    body = {
        "kind": kind,
        "text": "Möte med byalaget i bygdegården.",
        "occurred_on": (TODAY - timedelta(days=days_ago)).isoformat(),
    }
    assert client.post(f"/api/v1/issues/{issue_id}/notes", json=body, headers=headers).is_success


def cycle(client: TestClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    response = client.get(CYCLE, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_a_plan_is_created_then_replaced(client: TestClient, caseworker: Headers) -> None:
    created = plan(client, caseworker, starts_on="2024-01-15")
    assert created.status_code == 201
    assert created.headers["Location"] == PLAN
    replaced = plan(client, caseworker, every_months=6, starts_on="2024-01-15")
    assert (replaced.status_code, replaced.json()["version"]) == (200, 2)
    view = client.get(PLAN, headers=caseworker)
    assert view.headers["ETag"] == '"2"'
    assert (view.json()["every_months"], view.json()["partner"]) == (6, "Falerums byalag")


def test_a_locality_is_overdue_when_its_last_dialogue_is_older_than_the_interval(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    plan(client, caseworker, starts_on=(TODAY - timedelta(days=400)).isoformat())
    noted(client, caseworker, issue_id, days_ago=150, kind="meeting")
    [falerum] = cycle(client, caseworker)
    assert falerum["overdue"] is True
    assert falerum["last_dialogue_on"] == (TODAY - timedelta(days=150)).isoformat()
    assert falerum["next_due_on"] == add_months(TODAY - timedelta(days=150), 4).isoformat()
    assert falerum["days_overdue"] > 0

    noted(client, caseworker, issue_id, days_ago=30, kind="dialogue")
    [falerum] = cycle(client, caseworker)
    assert (falerum["overdue"], falerum["days_overdue"]) == (False, 0)


def test_emails_and_other_localities_do_not_count_as_dialogue(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    plan(client, caseworker, starts_on=(TODAY - timedelta(days=200)).isoformat())
    noted(client, caseworker, open_issue(), days_ago=10, kind="email")
    noted(client, caseworker, open_issue(locality="Grebo"), days_ago=10, kind="meeting")
    [falerum] = cycle(client, caseworker)
    assert (falerum["last_dialogue_on"], falerum["overdue"]) == (None, True)


def test_the_list_filters_on_overdue_and_keeps_to_the_callers_municipality(
    client: TestClient, auth: Callable[..., Headers], caseworker: Headers
) -> None:
    plan(client, caseworker, starts_on=(TODAY - timedelta(days=10)).isoformat())
    söderhamn = auth("sven.dahl", "caseworker", SÖDERHAMN)
    tronö = "/api/v1/localities/Trönö/dialogue-plan"
    plan(client, söderhamn, tronö, partner="Trönö bygdeförening", starts_on="2099-01-01")
    assert [i["locality"] for i in cycle(client, caseworker)] == ["Falerum"]
    assert [i["locality"] for i in cycle(client, söderhamn, overdue="false")] == ["Trönö"]
    assert cycle(client, söderhamn, overdue="true") == []
    national = auth("eva", "evaluator", "*")
    assert [i["locality"] for i in cycle(client, national, overdue="true")] == ["Falerum"]
    assert len(cycle(client, national)) == 2
    assert client.get(tronö, headers=caseworker).status_code == 404


def test_the_calendar_holds_one_recurring_dialogue_per_locality(
    client: TestClient, caseworker: Headers
) -> None:
    plan(client, caseworker, starts_on="2099-03-01")
    response = client.get(f"{CYCLE}.ics", headers=caseworker)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dialog i Falerum med Falerums byalag"
    assert event.decoded("DTSTART").isoformat() == "2099-03-01"
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and event["RRULE"]["INTERVAL"] == [4]


def test_bad_plans_are_422_and_readers_may_not_plan(
    client: TestClient, auth: Callable[..., Headers], caseworker: Headers
) -> None:
    assert plan(client, caseworker, every_months=0).status_code == 422
    assert plan(client, caseworker, every_months=25).status_code == 422
    assert plan(client, caseworker, partner=" ").status_code == 422
    assert plan(client, caseworker, starts_on=0).status_code == 422
    assert plan(client, caseworker, municipality=ÅTVIDABERG).status_code == 422
    assert plan(client, auth("eva", "evaluator", ÅTVIDABERG)).status_code == 403
    assert plan(client, auth("aud", "auditor", "*")).status_code == 403
    assert client.get(PLAN, headers=caseworker).status_code == 404
