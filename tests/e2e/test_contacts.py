"""Contacts (Falun): whom do I call about fuel in Gårdby? Personal data, read by few."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG, Headers


def test_contacts_answer_by_category_and_only_for_caseworkers_and_admins_at_home(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    unit = {
        "municipality": ÅTVIDABERG,
        "name": "Samhällsbyggnadsförvaltningen",
        "categories": ["fuel", "transport"],
    }
    unit_id = client.post("/api/v1/units", json=unit, headers=caseworker).json()["id"]
    other = {
        "municipality": ÅTVIDABERG,
        "name": "Socialförvaltningen",
        "categories": ["pharmacy_agent"],
    }
    other_id = client.post("/api/v1/units", json=other, headers=caseworker).json()["id"]
    contact = {
        "display_name": "Eva Sjö",
        "role": "trafikplanerare",
        "email": "eva.sjo@atvidaberg.se",
        "phone": "0120-83000",
    }
    answer = client.post(f"/api/v1/units/{unit_id}/contacts", json=contact, headers=caseworker)
    assert answer.status_code == 200, answer.text
    client.post(
        f"/api/v1/units/{other_id}/contacts",
        json={"display_name": "Per Ek", "role": "enhetschef"},
        headers=caseworker,
    )

    fuel = client.get("/api/v1/contacts", params={"category": "fuel"}, headers=caseworker).json()[
        "items"
    ]
    assert [(c["display_name"], c["unit"], c["contact_id"]) for c in fuel] == [
        ("Eva Sjö", "Samhällsbyggnadsförvaltningen", answer.json()["contact_id"])
    ]
    assert len(client.get("/api/v1/contacts", headers=caseworker).json()["items"]) == 2

    for role in ("auditor", "evaluator"):
        refused = client.get("/api/v1/contacts", headers=auth("x", role, ÅTVIDABERG))
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/contacts", headers=auth("x", "auditor", "*")).status_code == 403
    söderhamn = auth("per.sund", "caseworker", SÖDERHAMN)
    assert client.get("/api/v1/contacts", headers=söderhamn).json()["items"] == []
    asked = client.get("/api/v1/contacts", params={"municipality": ÅTVIDABERG}, headers=söderhamn)
    assert asked.json()["items"] == []
    assert (
        client.post(
            f"/api/v1/units/{unit_id}/contacts", json=contact, headers=söderhamn
        ).status_code
        == 404
    )


def test_a_malformed_email_is_refused(client: TestClient, caseworker: Headers) -> None:
    unit = {"municipality": ÅTVIDABERG, "name": "Kommunledningen", "categories": []}
    unit_id = client.post("/api/v1/units", json=unit, headers=caseworker).json()["id"]
    bad = {"display_name": "Eva Sjö", "role": "chef", "email": "inte en adress"}
    assert (
        client.post(f"/api/v1/units/{unit_id}/contacts", json=bad, headers=caseworker).status_code
        == 422
    )
