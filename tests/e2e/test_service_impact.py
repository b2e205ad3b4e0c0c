"""Vetlanda's rule over HTTP: a decision carries its service impact, and adopted decisions
without one are listed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import TODAY, Headers, issue_body

IMPACT = {
    "effects": [
        {
            "locality": "Falerum",
            "service_kind": "groceries",
            "effect": "positive",
            "note": "Butiken får stöd.",
        },
        {"locality": "Falerum", "service_kind": "fuel", "effect": "neutral"},
    ]
}


def propose(client: TestClient, headers: Headers, issue_id: str, **extra: Any) -> str:
    body = {
        "issue_id": issue_id,
        "title": "Driftstöd till butiken i Falerum",
        "rationale": "Närmaste butik ligger 25 km bort.",
        "decision_body": "Kommunstyrelsen",
        **extra,
    }
    response = client.post("/api/v1/decisions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    decision_id = str(response.json()["id"])
    adoption = {"decided_on": TODAY.isoformat(), "reference": "KS 2024/7"}
    client.post(f"/api/v1/decisions/{decision_id}/adopt", json=adoption, headers=headers)
    return decision_id


def test_the_impact_is_in_the_view_and_unassessed_decisions_are_listed(
    client: TestClient, caseworker: Headers
) -> None:
    issue_id = client.post("/api/v1/issues", json=issue_body(), headers=caseworker).json()["id"]
    assessed = propose(client, caseworker, issue_id, service_impact=IMPACT)
    none = {"none_expected": True, "note": "Beslutet gäller bara kommunens lokaler."}
    propose(client, caseworker, issue_id, service_impact=none)
    unassessed = propose(client, caseworker, issue_id)

    view = client.get(f"/api/v1/decisions/{assessed}", headers=caseworker).json()
    assert view["service_impact"]["effects"][0]["effect"] == "positive"
    report = client.get("/api/v1/insights/service-impact", headers=caseworker).json()
    assert [i["decision_id"] for i in report["items"]] == [unassessed]
    assert report["items"][0]["locality"] == "Falerum"


def test_a_malformed_impact_is_refused_and_nothing_is_written(
    client: TestClient, caseworker: Headers
) -> None:
    issue_id = client.post("/api/v1/issues", json=issue_body(), headers=caseworker).json()["id"]
    for bad in (
        {"effects": []},
        {"none_expected": True},
        {"none_expected": False, "note": "x"},
        {"effects": [{"locality": "Falerum", "service_kind": "fuel", "effect": "great"}]},
        {**IMPACT, "none_expected": True, "note": "both"},
    ):
        body = {
            "issue_id": issue_id,
            "title": "T",
            "rationale": "R",
            "decision_body": "KS",
            "service_impact": bad,
        }
        response = client.post("/api/v1/decisions", json=body, headers=caseworker)
        assert response.status_code == 422, (bad, response.text)
    assert client.get("/api/v1/decisions", headers=caseworker).json()["items"] == []


def test_the_html_timeline_shows_each_decisions_service_impact(
    client: TestClient, caseworker: Headers
) -> None:
    issue_id = client.post("/api/v1/issues", json=issue_body(), headers=caseworker).json()["id"]
    propose(client, caseworker, issue_id, service_impact=IMPACT)
    propose(client, caseworker, issue_id)
    page = client.get(
        "/api/v1/exports/timeline", params={"format": "html"}, headers=caseworker
    ).text
    assert "Påverkan på service:" in page
    assert (
        "dagligvaror i Falerum: positiv (Butiken får stöd.); drivmedel i Falerum: neutral" in page
    )
    assert "ej bedömd" in page
