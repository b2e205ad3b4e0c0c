"""Replicating a model (Söderhamn's Trönö): a new issue in another locality, modelled on one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import Headers, issue_body, task_force_body


def test_a_replica_copies_the_model_without_people_and_both_sides_know(
    client: TestClient, caseworker: Headers
) -> None:
    body = issue_body(locality="Trönö", title="Trönömodellen: servicepunkt i byns affär")
    model = client.post("/api/v1/issues", json=body, headers=caseworker).json()["id"]
    task_force = client.post(
        "/api/v1/task-forces",
        json=task_force_body(model, name="Arbetsgrupp Trönö"),
        headers=caseworker,
    ).json()["id"]
    member = {"display_name": "Nils Holm", "organisation": "Trönö bygdeförening", "role": "kassör"}
    client.post(f"/api/v1/task-forces/{task_force}/members", json=member, headers=caseworker)

    answer = client.post(
        f"/api/v1/issues/{model}/replicate", json={"locality": "Bergvik"}, headers=caseworker
    )
    assert answer.status_code == 201, answer.text
    replica_id = answer.json()["id"]
    assert answer.headers["Location"] == f"/api/v1/issues/{replica_id}"

    replica = client.get(f"/api/v1/issues/{replica_id}", headers=caseworker).json()
    assert (replica["locality"], replica["category"]) == ("Bergvik", "groceries")
    assert replica["description"] == body["description"]
    assert replica["title"] == "Trönömodellen: servicepunkt i byns affär (modell från Trönö)"
    assert replica["modelled_on"]["issue_id"] == model
    assert replica["modelled_on"]["task_forces"] == [
        {
            "name": "Arbetsgrupp Trönö",
            "mandate": task_force_body(model)["mandate"],
            "member_roles": ["landsbygdsutvecklare", "kassör"],
        }
    ]
    assert "Nils Holm" not in str(replica) and "Karin Berg" not in str(replica)
    source = client.get(f"/api/v1/issues/{model}", headers=caseworker).json()
    assert source["replicas"] == [{"issue_id": replica_id, "locality": "Bergvik"}]
    history = client.get(f"/api/v1/issues/{model}/history", headers=caseworker).json()["items"]
    assert history[-1]["type"] == "Issue.Replicated"
    prefix, serial = source["registration_number"].split("/")  # numbered at opening, next in line
    assert replica["registration_number"] == f"{prefix}/{int(serial) + 1:04d}"


def test_a_replica_is_for_another_locality(client: TestClient, caseworker: Headers) -> None:
    model = client.post(
        "/api/v1/issues", json=issue_body(locality="Trönö"), headers=caseworker
    ).json()["id"]
    same = client.post(
        f"/api/v1/issues/{model}/replicate", json={"locality": "trönö"}, headers=caseworker
    )
    assert same.status_code == 409
    titled = client.post(
        f"/api/v1/issues/{model}/replicate",
        json={"locality": "Sandarne", "title": "Servicepunkt i Sandarne"},
        headers=caseworker,
    )
    assert titled.status_code == 201
