"""Subjects: one person across records, listed for caseworkers, and a complete extract."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.personal import SUBJECT_PREFIX
from infrastructure.views.projections import RECORD_TYPES
from tests.e2e.conftest import ÅTVIDABERG, Headers
from tests.unit.test_personal_data_register import declared_fields


def test_a_person_on_two_records_is_one_subject_with_a_complete_extract(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    lead = {"display_name": "Signe Ahlqvist", "organisation": "Grebo byalag", "role": "ordförande"}
    first = form_task_force(open_issue(), lead=lead)
    second = form_task_force(open_issue())
    added = client.post(f"/api/v1/task-forces/{second}/members", json=lead, headers=caseworker)
    assert added.status_code == 200

    listed = client.get("/api/v1/subjects?q=ahlq", headers=caseworker).json()
    (subject,) = listed["items"]
    assert subject["display_name"] == "Signe Ahlqvist"
    assert sorted(subject["records"]) == sorted([first, second])
    everyone = client.get("/api/v1/subjects?limit=1", headers=caseworker).json()
    assert len(everyone["items"]) == 1 and everyone["next_cursor"] is not None
    rest = client.get(f"/api/v1/subjects?cursor={everyone['next_cursor']}", headers=caseworker)
    assert len(rest.json()["items"]) == 1  # Karin Berg, the default lead

    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    extract = client.get(f"/api/v1/subjects/{subject['subject_id']}/extract", headers=admin)
    assert extract.status_code == 200
    found = {
        (f["event"], f["field"]): f["value"]
        for record in extract.json()["records"]
        for f in record["fields"]
        if f["personal"]
    }
    subject_fields = [
        (event, path)
        for event, path in declared_fields()
        for owner in [_owner(event, path)]
        if owner.startswith(SUBJECT_PREFIX) and event.startswith("TaskForce.")
    ]
    assert subject_fields and all(found.get(key) == "Signe Ahlqvist" for key in subject_fields)
    assert (
        client.get(
            f"/api/v1/subjects/{subject['subject_id']}/extract", headers=caseworker
        ).status_code
        == 403
    )
    foreign = auth("sven.admin", "admin", "2182")
    assert (
        client.get(f"/api/v1/subjects/{subject['subject_id']}/extract", headers=foreign).status_code
        == 404
    )


def _owner(event: str, path: str) -> str:
    aggregate_name, event_name = event.split(".")
    aggregate = next(a for a in RECORD_TYPES if a.__name__ == aggregate_name)
    return str(getattr(aggregate, event_name).personal[path])
