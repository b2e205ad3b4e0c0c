"""When someone leaves: one command moves their open issues and task force leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import select

from application import commands as c
from application.ports import CommandContext
from domain.staff import staff_member_id
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views.read_models import VIEWS
from infrastructure.views.replay import fresh_views, rebuild
from tests.e2e.conftest import (
    SÖDERHAMN,
    TODAY,
    ÅTVIDABERG,
    Headers,
    issue_body,
    task_force_body,
)

NOTE = "Byalagets kontakter och mötesanteckningar finns i diariet, dnr 2024/117."


def assign(client: TestClient, headers: Headers, issue_id: str, user_id: str) -> None:
    body = {"unit": "Näringslivsenheten", "role": "utvecklingsstrateg", "user_id": user_id}
    response = client.put(f"/api/v1/issues/{issue_id}/responsibility", json=body, headers=headers)
    assert response.status_code == 200, response.text


def lead_body(issue_id: str, user_id: str) -> dict[str, Any]:
    body = task_force_body(issue_id)
    body["lead"] = {**body["lead"], "user_id": user_id}
    return body


def hand_over(
    client: TestClient, headers: Headers, from_user: str = "karin.berg", **body: Any
) -> Any:
    body = {"to_user": "olle.ek", "note": NOTE, **body}
    return client.post(f"/api/v1/staff/{from_user}/handover", json=body, headers=headers)


def events_of(client: TestClient, record_id: str) -> list[Any]:
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    return list(store.events.get(UUID(record_id)))


def test_a_handover_moves_every_open_issue_and_lead_in_one_command(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
) -> None:
    first, second = open_issue(), open_issue(locality="Grebo")
    assign(client, caseworker, first, "karin.berg")
    assign(client, caseworker, second, "karin.berg")
    created = client.post(
        "/api/v1/task-forces", json=lead_body(first, "karin.berg"), headers=caseworker
    )
    task_force = created.json()["id"]

    response = hand_over(client, caseworker)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == str(staff_member_id(ÅTVIDABERG, "karin.berg"))
    assert (body["version"], body["issues_moved"], body["task_forces_moved"]) == (1, 2, 1)
    assert response.headers["ETag"] == '"1"'
    for issue_id in (first, second):
        view = client.get(f"/api/v1/issues/{issue_id}", headers=caseworker).json()
        assert view["responsibility"]["user_id"] == "olle.ek"
        assert view["responsibility"]["unit"] == "Näringslivsenheten"
    view = client.get(f"/api/v1/task-forces/{task_force}", headers=caseworker).json()
    lead = next(m for m in view["members"] if m["member_id"] == view["lead"])
    assert lead["user_id"] == "olle.ek"


def test_each_moved_record_has_its_own_event_with_the_note_from_one_command(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    assign(client, caseworker, issue_id, "karin.berg")
    created = client.post(
        "/api/v1/task-forces", json=lead_body(issue_id, "karin.berg"), headers=caseworker
    )
    task_force = created.json()["id"]
    hand_over(client, caseworker)

    assigned = events_of(client, issue_id)[-1]
    handed = events_of(client, task_force)[-1]
    departed = events_of(client, str(staff_member_id(ÅTVIDABERG, "karin.berg")))[-1]
    assert type(assigned).__name__ == "ResponsibilityAssigned" and assigned.note == NOTE
    assert type(handed).__name__ == "LeadHandedOver" and handed.note == NOTE
    assert type(departed).__name__ == "Departed" and departed.handed_over_to == "olle.ek"
    assert assigned.command_id == handed.command_id == departed.command_id


def test_closed_issues_other_users_and_other_municipalities_stay_put(
    client: TestClient,
    auth: Callable[..., Headers],
    caseworker: Headers,
    open_issue: Callable[..., str],
) -> None:
    resolved, colleagues = open_issue(), open_issue()
    assign(client, caseworker, resolved, "karin.berg")
    client.post(
        f"/api/v1/issues/{resolved}/resolve", json={"summary": "Klart."}, headers=caseworker
    )
    assign(client, caseworker, colleagues, "lisa.holm")
    söderhamn = auth("sven.dahl", "caseworker", SÖDERHAMN)
    tronö = open_issue(headers=söderhamn, municipality=SÖDERHAMN, locality="Trönö")
    assign(client, söderhamn, tronö, "karin.berg")

    body = hand_over(client, caseworker).json()

    assert (body["issues_moved"], body["task_forces_moved"]) == (0, 0)
    responsible = {
        i: client.get(f"/api/v1/issues/{i}", headers=h).json()["responsibility"]["user_id"]
        for i, h in ((resolved, caseworker), (colleagues, caseworker), (tronö, söderhamn))
    }
    assert responsible == {resolved: "karin.berg", colleagues: "lisa.holm", tronö: "karin.berg"}


def test_the_lead_goes_to_an_existing_member_tied_to_the_user(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    tf = client.post(
        "/api/v1/task-forces", json=lead_body(issue_id, "karin.berg"), headers=caseworker
    ).json()["id"]
    olle = {
        "display_name": "Olle Ek",
        "organisation": "Åtvidabergs kommun",
        "role": "planerare",
        "user_id": "olle.ek",
    }
    member_id = client.post(
        f"/api/v1/task-forces/{tf}/members", json=olle, headers=caseworker
    ).json()["member_id"]

    hand_over(client, caseworker)

    view = client.get(f"/api/v1/task-forces/{tf}", headers=caseworker).json()
    assert view["lead"] == member_id
    assert len(view["members"]) == 2


def test_work_attached_after_leaving_moves_with_a_second_handover(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    hand_over(client, caseworker)
    late = open_issue()
    assign(client, caseworker, late, "karin.berg")

    again = hand_over(client, caseworker, to_user="lisa.holm")

    assert again.status_code == 200
    assert (again.json()["version"], again.json()["issues_moved"]) == (2, 1)
    view = client.get(f"/api/v1/issues/{late}", headers=caseworker).json()
    assert view["responsibility"]["user_id"] == "lisa.holm"


def test_handing_over_to_someone_who_has_left_is_409(
    client: TestClient, caseworker: Headers
) -> None:
    hand_over(client, caseworker, from_user="olle.ek", to_user="lisa.holm")
    refused = hand_over(client, caseworker, to_user="olle.ek")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    departed = client.app.state.samverkan.events  # type: ignore[attr-defined]
    assert departed.recorder.max_notification_id() == 1  # only olle.ek's departure


def test_bad_handovers_are_422_and_write_nothing(client: TestClient, caseworker: Headers) -> None:
    assert hand_over(client, caseworker, note=" ").status_code == 422
    assert hand_over(client, caseworker, to_user="karin.berg").status_code == 422
    assert hand_over(client, caseworker, to_user="two words").status_code == 422
    assert hand_over(client, caseworker, extra="x").status_code == 422
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    assert not store.recorder.max_notification_id()


def test_only_caseworkers_and_admins_of_the_municipality_hand_over(
    client: TestClient, auth: Callable[..., Headers]
) -> None:
    assert hand_over(client, auth("eva", "evaluator", ÅTVIDABERG)).status_code == 403
    assert hand_over(client, auth("aud", "auditor", "*")).status_code == 403
    assert hand_over(client, auth("root", "admin", ÅTVIDABERG)).status_code == 200
    assert hand_over(client, {}).status_code == 401


def test_a_repeated_idempotency_key_returns_the_first_answer(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    assign(client, caseworker, issue_id, "karin.berg")
    headers = {**caseworker, "Idempotency-Key": "karin-slutar"}
    first = hand_over(client, headers)
    again = hand_over(client, headers)
    assert (again.status_code, again.json()) == (200, first.json())
    assert first.json()["issues_moved"] == 1


def test_members_can_be_tied_to_users_and_evaluators_see_pseudonyms(
    client: TestClient,
    auth: Callable[..., Headers],
    caseworker: Headers,
    open_issue: Callable[..., str],
) -> None:
    tf = client.post(
        "/api/v1/task-forces", json=lead_body(open_issue(), "karin.berg"), headers=caseworker
    ).json()["id"]
    seen = client.get(f"/api/v1/task-forces/{tf}", headers=caseworker).json()["members"][0]
    assert seen["user_id"] == "karin.berg"
    hidden = client.get(f"/api/v1/task-forces/{tf}", headers=auth("eva", "evaluator", ÅTVIDABERG))
    assert "karin.berg" not in hidden.text and "Karin Berg" not in hidden.text


def test_the_new_views_rebuild_from_the_log_as_they_were(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    assign(client, caseworker, issue_id, "karin.berg")
    client.post("/api/v1/task-forces", json=lead_body(issue_id, "karin.berg"), headers=caseworker)
    hand_over(client, caseworker)
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    replayed = fresh_views(store, "_h5")
    rebuild(store, replayed)
    with store.transaction() as session:
        for name in ("staff_member", "task_force"):
            live = [dict(r) for r in session.execute(select(VIEWS[name])).mappings()]
            again = [dict(r) for r in session.execute(select(replayed[name])).mappings()]
            assert live == again


def test_a_handover_commits_every_move_together_on_every_backend(samverkan: Samverkan) -> None:
    anna = CommandContext(actor=Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG))
    opened = samverkan.bus.dispatch(c.OpenIssue(**issue_body()), anna)
    assign = c.AssignResponsibility(
        issue_id=opened.id, unit="Näringsliv", role="strateg", user_id="karin.berg"
    )
    samverkan.bus.dispatch(assign, anna)
    lead = c.Person(
        display_name="Karin Berg",
        organisation="Åtvidabergs kommun",
        role="lead",
        user_id="karin.berg",
    )
    form = c.FormTaskForce(
        issue_id=opened.id,
        name="Insatsstyrka Falerum",
        mandate="Ta fram ett förslag.",
        due_on=TODAY + timedelta(days=30),
        lead=lead,
    )
    formed = samverkan.bus.dispatch(form, anna)
    leave = c.HandOverResponsibilities(
        municipality=ÅTVIDABERG, from_user="karin.berg", to_user="olle.ek", note=NOTE
    )
    result = samverkan.bus.dispatch(leave, anna)

    last = {
        record: list(samverkan.events.events.get(record))[-1]
        for record in (opened.id, formed.id, result.id)
    }
    assert [type(e).__name__ for e in last.values()] == [
        "ResponsibilityAssigned",
        "LeadHandedOver",
        "Departed",
    ]
    assert len({e.command_id for e in last.values()}) == 1
    with samverkan.events.transaction() as session:
        responsible = session.execute(select(VIEWS["issue"].c.responsible_user)).scalar_one()
        leads = session.execute(select(VIEWS["task_force"].c.lead_user)).scalar_one()
    assert (responsible, leads) == ("olle.ek", "olle.ek")
