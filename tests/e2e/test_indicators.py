"""Indicators over time (Ludvika): each indicator's values per locality, baseline and target."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import Headers, issue_body


def outcome(issue_id: str, observed_on: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "issue_id": issue_id,
        "decision_ids": [],
        "summary": "Kunder räknade i kassan.",
        "indicators": [{"name": "kunder per vecka", "value": value, "unit": "st", **extra}],
        "observed_on": observed_on,
    }


def test_values_come_in_date_order_per_locality_without_retracted_ones(
    client: TestClient, caseworker: Headers
) -> None:
    falerum = client.post("/api/v1/issues", json=issue_body(), headers=caseworker).json()["id"]
    grebo = client.post(
        "/api/v1/issues", json=issue_body(locality="Grebo"), headers=caseworker
    ).json()["id"]
    client.post(
        "/api/v1/outcomes",
        json=outcome(falerum, "2024-06-01", "380", baseline="350", target="450"),
        headers=caseworker,
    )
    client.post("/api/v1/outcomes", json=outcome(falerum, "2024-03-01", "350"), headers=caseworker)
    wrong = client.post(
        "/api/v1/outcomes", json=outcome(falerum, "2024-09-01", "9999"), headers=caseworker
    ).json()["id"]
    client.post(
        f"/api/v1/outcomes/{wrong}/retract", json={"reason": "Felskrivet."}, headers=caseworker
    )
    client.post("/api/v1/outcomes", json=outcome(grebo, "2024-05-01", "120"), headers=caseworker)

    items = client.get("/api/v1/insights/indicators", headers=caseworker).json()["items"]
    by_place = {i["locality"]: i for i in items}
    assert [p["value"] for p in by_place["Falerum"]["points"]] == ["350", "380"]
    assert (by_place["Falerum"]["baseline"], by_place["Falerum"]["target"]) == ("350", "450")
    assert [p["value"] for p in by_place["Grebo"]["points"]] == ["120"]
    only = client.get(
        "/api/v1/insights/indicators", params={"locality": "Grebo"}, headers=caseworker
    ).json()["items"]
    assert [i["locality"] for i in only] == ["Grebo"]
    none = client.get(
        "/api/v1/insights/indicators", params={"name": "öppettimmar"}, headers=caseworker
    )
    assert none.json()["items"] == []


def test_the_html_timeline_has_a_small_chart_per_indicator(
    client: TestClient, caseworker: Headers
) -> None:
    falerum = client.post("/api/v1/issues", json=issue_body(), headers=caseworker).json()["id"]
    client.post(
        "/api/v1/outcomes",
        json=outcome(falerum, "2024-03-01", "350", baseline="300", target="450"),
        headers=caseworker,
    )
    client.post("/api/v1/outcomes", json=outcome(falerum, "2024-06-01", "380"), headers=caseworker)
    page = client.get(
        "/api/v1/exports/timeline", params={"format": "html"}, headers=caseworker
    ).text
    assert page.count('class="chart"') == 1
    assert "kunder per vecka</strong> (st): 350 → 380 · utgångsläge 300 · mål 450" in page
    assert page.count('class="point"') == 2 and 'class="target"' in page
