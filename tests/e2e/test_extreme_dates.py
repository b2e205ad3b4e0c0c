"""No stored event can make a later read answer 500: dates far outside 1900-2100.

Since this release such dates are refused at the door (422), but stores written earlier may
hold them (a note dated 9999-12-15 once broke the dialogue cycle for good). The commands here
are built without validation, as an older release would have let them through.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application import commands as c
from application.ports import CommandContext
from domain.values import Actor, Role
from tests.e2e.conftest import ÅTVIDABERG, Headers

FAR_FUTURE, FAR_PAST = date(9999, 12, 15), date(1, 1, 2)


def unvalidated(command: type[c.Command], **fields: Any) -> c.Command:
    return command.model_construct(**fields)


@pytest.fixture
def stored(client: TestClient, open_issue: Callable[..., str]) -> dict[str, str]:
    bus = client.app.state.samverkan.bus  # type: ignore[attr-defined]
    as_anna = CommandContext(actor=Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG))
    issue = UUID(open_issue())
    for day in (FAR_FUTURE, FAR_PAST):
        note = unvalidated(
            c.AddNote, issue_id=issue, kind="meeting", text="Möte.", occurred_on=day, public=True
        )
        bus.dispatch(note, as_anna)
    lead = c.Person(display_name="Karin Berg", organisation="Kommunen", role="sammankallande")
    task_force = bus.dispatch(
        unvalidated(
            c.FormTaskForce,
            issue_id=issue,
            name="Insatsstyrka Falerum",
            mandate="Ta fram en servicepunkt.",
            due_on=date(9999, 12, 31),
            lead=lead,
        ),
        as_anna,
    ).id
    decision = bus.dispatch(
        c.ProposeDecision(
            issue_id=issue, title="Stöd", rationale="Butiken behövs.", decision_body="KS"
        ),
        as_anna,
    ).id
    bus.dispatch(unvalidated(c.AdoptDecision, decision_id=decision, decided_on=FAR_PAST), as_anna)
    outcome = bus.dispatch(
        unvalidated(
            c.RecordOutcome,
            issue_id=issue,
            decision_ids=[],
            summary="Öppet.",
            indicators=[],
            observed_on=FAR_PAST,
        ),
        as_anna,
    ).id
    for locality, day in (("Falerum", date(2024, 1, 1)), ("Gårdby", date(1, 1, 1))):
        plan = unvalidated(
            c.PlanDialogue,
            municipality=ÅTVIDABERG,
            locality=locality,
            every_months=24,
            partner="Byalaget",
            starts_on=day,
        )
        bus.dispatch(plan, as_anna)
    return {
        "issue": issue,
        "task_force": str(task_force),
        "decision": str(decision),
        "outcome": str(outcome),
    }


def read_routes(ids: dict[str, str]) -> list[str]:
    records = [
        f"/api/v1/issues/{ids['issue']}",
        f"/api/v1/task-forces/{ids['task_force']}",
        f"/api/v1/decisions/{ids['decision']}",
        f"/api/v1/outcomes/{ids['outcome']}",
    ]
    return [
        *records,
        *(f"{r}/history" for r in records),
        *(f"{r}?version=1" for r in records),
        "/api/v1/issues",
        "/api/v1/task-forces",
        "/api/v1/task-forces?overdue=true",
        "/api/v1/decisions",
        "/api/v1/outcomes",
        "/api/v1/audit/events",
        "/api/v1/audit/verify",
        "/api/v1/insights/person-dependency",
        "/api/v1/insights/dialogue-cycle",
        "/api/v1/insights/dialogue-cycle.ics",
        "/api/v1/localities/Falerum/dialogue-plan?municipality=0561",
        *(f"/api/v1/exports/timeline?format={f}" for f in ("json", "csv", "ics", "html")),
    ]


def test_extreme_stored_dates_leave_every_read_route_at_200(
    client: TestClient, auth: Callable[..., Headers], stored: dict[str, str]
) -> None:
    readers = [
        auth("anna.lind", "admin", ÅTVIDABERG),
        auth("ulla.revisor", "auditor", "*"),
        auth("eva.utvarderare", "evaluator", "*"),
    ]
    failures = []
    for headers in readers:
        for path in read_routes(stored):
            response = client.get(path, headers=headers)
            if response.status_code not in (200, 403):  # evaluators may not read history
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "as_of",
    ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"],
)
def test_an_instant_the_service_cannot_represent_is_422(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str], as_of: str
) -> None:
    issue = open_issue()
    response = client.get(f"/api/v1/issues/{issue}", params={"as_of": as_of}, headers=caseworker)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].endswith("as_of")


@pytest.mark.parametrize("day", ["9999-12-15", "1899-12-31", "0001-01-01"])
def test_a_business_date_outside_1900_to_2100_is_422(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str], day: str
) -> None:
    issue = open_issue()
    note = {"kind": "meeting", "text": "Möte.", "occurred_on": day}
    response = client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=caseworker)
    assert response.status_code == 422
    assert client.get(f"/api/v1/issues/{issue}", headers=caseworker).json()["version"] == 1


@pytest.mark.parametrize("text", ["a\u0000b", "rad\u0007", "\u001b[31mröd"])
def test_text_with_a_control_character_is_422_and_writes_nothing(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str], text: str
) -> None:
    issue = open_issue()
    note = {"kind": "meeting", "text": text, "occurred_on": "2024-05-02"}
    response = client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=caseworker)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
    assert client.get(f"/api/v1/issues/{issue}", headers=caseworker).json()["version"] == 1


def test_tab_and_newlines_are_ordinary_text(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue = open_issue()
    note = {"kind": "meeting", "text": "Punkter:\r\n\t1. Butiken", "occurred_on": "2024-05-02"}
    response = client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=caseworker)
    assert response.status_code == 200, response.text
