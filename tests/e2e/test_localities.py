"""The locality register over HTTP: localities, services opening and closing, names used on
issues and plans, history, time travel, tenancy, and a replay that rebuilds the same views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.locality import locality_id
from infrastructure.views.replay_runs import check_views
from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG, Headers, issue_body

LOC = "/api/v1/localities"


def register(client: TestClient, headers: Headers, **overrides: Any) -> str:
    body = {
        "municipality": ÅTVIDABERG,
        "name": "Grebo",
        "kind": "tatort",
        "population": 1400,
        "latitude": 58.30,
        "longitude": 15.85,
        **overrides,
    }
    response = client.post(LOC, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{LOC}/{response.json()['id']}"
    return str(response.json()["id"])


def test_a_locality_registers_with_services_that_open_and_close(
    client: TestClient, caseworker: Headers
) -> None:
    grebo = register(client, caseworker)
    assert grebo == str(locality_id(ÅTVIDABERG, "Grebo"))
    service = client.post(
        f"{LOC}/{grebo}/services",
        json={
            "kind": "groceries",
            "name": "ICA Nära Grebo",
            "operator": "ICA",
            "opened_on": "2010-04-01",
        },
        headers=caseworker,
    )
    assert service.status_code == 200, service.text
    service_id = service.json()["service_id"]
    closing = {"closed_on": "2024-08-31", "reason": "Handlaren gick i pension."}
    closed = client.post(
        f"{LOC}/{grebo}/services/{service_id}/close", json=closing, headers=caseworker
    )
    assert closed.status_code == 200, closed.text
    again = client.post(
        f"{LOC}/{grebo}/services/{service_id}/close", json=closing, headers=caseworker
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"

    view = client.get(f"{LOC}/{grebo}", headers=caseworker).json()
    assert view["version"] == 3
    assert view["services"] == [
        {
            "service_id": service_id,
            "kind": "groceries",
            "name": "ICA Nära Grebo",
            "operator": "ICA",
            "opened_on": "2010-04-01",
            "closed_on": "2024-08-31",
            "closed_reason": "Handlaren gick i pension.",
            "closed_by": "anna.lind",
            "status": "closed",
        }
    ]
    before = client.get(f"{LOC}/{grebo}", params={"version": 2}, headers=caseworker).json()
    assert before["services"][0]["status"] == "open"
    history = client.get(f"{LOC}/{grebo}/history", headers=caseworker).json()["items"]
    assert [h["type"] for h in history] == [
        "Locality.Registered",
        "Locality.ServiceRecorded",
        "Locality.ServiceClosed",
    ]
    assert history[2]["data"]["reason"] == "Handlaren gick i pension."


def test_a_second_registration_of_a_name_is_a_conflict(
    client: TestClient, caseworker: Headers
) -> None:
    register(client, caseworker)
    body = {"municipality": ÅTVIDABERG, "name": "grebo", "latitude": 58.3, "longitude": 15.8}
    assert client.post(LOC, json=body, headers=caseworker).status_code == 409


def test_bad_coordinates_are_refused_and_nothing_is_written(
    client: TestClient, caseworker: Headers
) -> None:
    body = {"municipality": ÅTVIDABERG, "name": "Grebo", "latitude": 91, "longitude": 15.8}
    response = client.post(LOC, json=body, headers=caseworker)
    assert response.status_code == 422
    assert client.get(LOC, headers=caseworker).json()["items"] == []


def test_localities_named_on_issues_and_plans_are_listed_without_coordinates(
    client: TestClient, caseworker: Headers
) -> None:
    client.post("/api/v1/issues", json=issue_body(locality="Falerum"), headers=caseworker)
    client.post("/api/v1/issues", json=issue_body(locality="Grebo"), headers=caseworker)
    plan = {"every_months": 4, "partner": "Ulrika byalag"}
    client.put(f"{LOC}/Ulrika/dialogue-plan", json=plan, headers=caseworker)
    register(client, caseworker)  # Grebo is now registered: listed once, with coordinates

    items = client.get(LOC, headers=caseworker).json()["items"]
    assert [(i["name"], i["registered"]) for i in items] == [
        ("Grebo", True),
        ("Ulrika", False),
        ("Falerum", False),
    ]
    falerum = items[2]
    assert falerum["id"] == str(locality_id(ÅTVIDABERG, "Falerum"))
    assert (falerum["latitude"], falerum["longitude"]) == (None, None)
    assert [
        i["name"] for i in client.get(LOC, params={"q": "ulr"}, headers=caseworker).json()["items"]
    ] == ["Ulrika"]

    first = client.get(LOC, params={"limit": 2}, headers=caseworker).json()
    rest = client.get(
        LOC, params={"limit": 2, "cursor": first["next_cursor"]}, headers=caseworker
    ).json()
    assert [i["name"] for i in first["items"] + rest["items"]] == ["Grebo", "Ulrika", "Falerum"]
    assert rest["next_cursor"] is None
    # the dialogue plan's route, which takes a name, still answers beside the UUID routes
    assert client.get(f"{LOC}/Ulrika/dialogue-plan", headers=caseworker).status_code == 200


def test_another_municipalitys_localities_are_invisible(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    grebo = register(client, caseworker)
    söderhamn = auth("per.sund", "caseworker", SÖDERHAMN)
    assert client.get(f"{LOC}/{grebo}", headers=söderhamn).status_code == 404
    assert client.get(LOC, headers=söderhamn).json()["items"] == []
    body = {"kind": "fuel", "name": "Macken"}
    assert client.post(f"{LOC}/{grebo}/services", json=body, headers=söderhamn).status_code == 404


def test_replay_rebuilds_the_register(client: TestClient, caseworker: Headers) -> None:
    grebo = register(client, caseworker)
    body = {"kind": "fuel", "name": "Macken"}
    client.post(f"{LOC}/{grebo}/services", json=body, headers=caseworker)
    events = client.app.state.samverkan.events  # type: ignore[attr-defined]
    count, differences = check_views(events)
    assert count == 2
    assert differences == []


def test_a_closing_without_a_dialogue_since_is_flagged_in_person_dependency(
    client: TestClient, caseworker: Headers
) -> None:
    grebo = register(client, caseworker)
    ulrika = register(client, caseworker, name="Ulrika", latitude=58.1, longitude=15.4)
    for locality in (grebo, ulrika):
        shop = client.post(
            f"{LOC}/{locality}/services",
            json={"kind": "groceries", "name": "Lanthandeln"},
            headers=caseworker,
        ).json()["service_id"]
        closing = {"closed_on": "2024-08-31", "reason": "Butiken lades ned."}
        client.post(f"{LOC}/{locality}/services/{shop}/close", json=closing, headers=caseworker)
    issue_id = client.post(
        "/api/v1/issues", json=issue_body(locality="Grebo"), headers=caseworker
    ).json()["id"]
    report = client.get("/api/v1/insights/person-dependency", headers=caseworker).json()
    flags = {
        r["locality"]: r["flags"]["service_closed_without_dialogue"] for r in report["localities"]
    }
    assert flags == {"Grebo": True, "Ulrika": True}  # Ulrika has no issue, and is listed anyway
    assert report["issues"][0]["flags"]["service_closed_without_dialogue"] is True

    note = {"kind": "meeting", "text": "Möte om ny butik i Grebo.", "occurred_on": "2024-09-10"}
    client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker)
    report = client.get("/api/v1/insights/person-dependency", headers=caseworker).json()
    flags = {
        r["locality"]: r["flags"]["service_closed_without_dialogue"] for r in report["localities"]
    }
    assert flags == {"Grebo": False, "Ulrika": True}


def test_a_service_neither_opens_nor_closes_after_today(
    client: TestClient, caseworker: Headers
) -> None:
    from datetime import UTC, datetime, timedelta

    grebo = register(client, caseworker)
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    shop = {"kind": "groceries", "name": "ICA Nära Grebo", "opened_on": tomorrow}
    ahead = client.post(f"{LOC}/{grebo}/services", json=shop, headers=caseworker)
    assert ahead.status_code == 422
    assert [e["field"] for e in ahead.json()["errors"]] == ["opened_on"]
    shop["opened_on"] = "2010-04-01"
    service = client.post(f"{LOC}/{grebo}/services", json=shop, headers=caseworker).json()
    closing = {"closed_on": tomorrow, "reason": "Butiken har aviserat att den stänger."}
    path = f"{LOC}/{grebo}/services/{service['service_id']}/close"
    refused = client.post(path, json=closing, headers=caseworker)
    assert refused.status_code == 422
    view = client.get(f"{LOC}/{grebo}", headers=caseworker).json()
    assert view["version"] == 2 and view["services"][0]["status"] == "open"  # nothing written
