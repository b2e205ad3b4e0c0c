"""Staff who leave for a while, leave for good, and come back: records, insights and tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from application import commands as c
from application.ports import CommandContext
from domain.staff import staff_member_id
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views.follow_ups import FollowUps
from infrastructure.views.read_models import VIEWS
from infrastructure.views.staff_register import DepartedUserError, DepartedUsers
from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers, issue_body

PD = "/api/v1/insights/person-dependency"
LEAVE = {"starts_on": TODAY.isoformat(), "note": "Föräldraledig; Olle svarar för Falerum."}
BACK = {"note": "Tillbaka på heltid från måndag."}
HANDOVER = {"to_user": "olle.ek", "note": "Kontakterna finns i diariet, dnr 2024/117."}


def post(client: TestClient, headers: Headers, user: str, action: str, body: Any) -> Any:
    return client.post(f"/api/v1/staff/{user}/{action}", json=body, headers=headers)


def assign(client: TestClient, headers: Headers, issue_id: str, user_id: str) -> None:
    body = {"unit": "Näringslivsenheten", "role": "utvecklingsstrateg", "user_id": user_id}
    response = client.put(f"/api/v1/issues/{issue_id}/responsibility", json=body, headers=headers)
    assert response.status_code == 200, response.text


def flags(client: TestClient, headers: Headers, issue_id: str) -> dict[str, bool]:
    report = client.get(PD, headers=headers).json()
    return next(i["flags"] for i in report["issues"] if i["issue_id"] == issue_id)  # type: ignore[no-any-return]


def staff(client: TestClient, headers: Headers, **params: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/staff", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_leave_then_return_is_one_record_with_its_history(
    client: TestClient, caseworker: Headers
) -> None:
    ends = (TODAY + timedelta(days=90)).isoformat()
    started = post(client, caseworker, "karin.berg", "leave", {**LEAVE, "ends_on": ends})
    assert started.status_code == 200, started.text
    assert started.json()["id"] == str(staff_member_id(ÅTVIDABERG, "karin.berg"))
    [record] = staff(client, caseworker)
    assert (record["status"], record["leave_starts_on"], record["leave_ends_on"]) == (
        "on_leave",
        TODAY.isoformat(),
        ends,
    )
    back = post(client, caseworker, "karin.berg", "return", BACK)
    assert (back.status_code, back.json()["version"]) == (200, 2)
    [record] = staff(client, caseworker)
    assert (record["status"], record["leave_starts_on"]) == ("active", None)


def test_work_held_by_someone_on_leave_is_on_leave_not_orphaned(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    assign(client, caseworker, issue_id, "karin.berg")
    post(client, caseworker, "karin.berg", "leave", LEAVE)
    assert flags(client, caseworker, issue_id)["on_leave"] is True
    assert flags(client, caseworker, issue_id)["orphaned"] is False
    post(client, caseworker, "karin.berg", "return", BACK)
    assert flags(client, caseworker, issue_id)["on_leave"] is False


def test_a_handover_to_someone_who_has_returned_works(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    assign(client, caseworker, issue_id, "olle.ek")
    post(client, caseworker, "karin.berg", "handover", {**HANDOVER, "to_user": "lisa.holm"})
    refused = post(client, caseworker, "olle.ek", "handover", {**HANDOVER, "to_user": "karin.berg"})
    assert refused.status_code == 409 and "has left" in refused.json()["detail"]

    rehired = post(client, caseworker, "karin.berg", "return", {"note": "Återanställd."})
    assert rehired.status_code == 200, rehired.text
    moved = post(client, caseworker, "olle.ek", "handover", {**HANDOVER, "to_user": "karin.berg"})

    assert moved.status_code == 200, moved.text
    assert moved.json()["issues_moved"] == 1
    view = client.get(f"/api/v1/issues/{issue_id}", headers=caseworker).json()
    assert view["responsibility"]["user_id"] == "karin.berg"
    assert flags(client, caseworker, issue_id)["orphaned"] is False


def test_a_departed_users_token_is_refused_and_works_again_after_a_return(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    karin = auth("karin.berg", "caseworker", ÅTVIDABERG)
    assert client.get("/api/v1/issues", headers=karin).status_code == 200
    post(client, caseworker, "karin.berg", "handover", HANDOVER)

    refused = client.post("/api/v1/issues", json={}, headers=karin)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "karin.berg is recorded as departed" in refused.json()["detail"]
    assert client.get("/api/v1/issues", headers=karin).status_code == 401
    # the same user in another municipality, and everyone else, is unaffected
    assert client.get(
        "/api/v1/issues", headers=auth("karin.berg", "caseworker", SÖDERHAMN)
    ).is_success
    assert client.get("/api/v1/issues", headers=caseworker).is_success

    post(client, caseworker, "karin.berg", "return", {"note": "Återanställd."})
    assert client.get("/api/v1/issues", headers=karin).status_code == 200


def test_another_process_sees_a_departure_after_its_refresh_interval(
    client: TestClient, caseworker: Headers
) -> None:
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    other = DepartedUsers(store, refresh_seconds=0.0)  # as a second worker, always stale
    patient = DepartedUsers(store, refresh_seconds=3600.0)  # loaded once, then trusted
    karin = Actor("karin.berg", Role.CASEWORKER, ÅTVIDABERG)
    other.require_present(karin)
    patient.require_present(karin)
    post(client, caseworker, "karin.berg", "handover", HANDOVER)
    patient.require_present(karin)  # its copy is not yet due for a refresh
    with pytest.raises(DepartedUserError, match="departed"):
        other.require_present(karin)  # a copy past its interval reloads


def test_the_staff_list_filters_by_status_and_stays_in_the_municipality(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    post(client, caseworker, "karin.berg", "leave", LEAVE)
    post(client, caseworker, "olle.ek", "handover", {**HANDOVER, "to_user": "lisa.holm"})
    post(client, caseworker, "lisa.holm", "leave", LEAVE)
    post(client, caseworker, "lisa.holm", "return", BACK)
    söderhamn = auth("sven.dahl", "caseworker", SÖDERHAMN)
    post(client, söderhamn, "per.sund", "leave", LEAVE)

    assert [s["user_id"] for s in staff(client, caseworker, status="on_leave")] == ["karin.berg"]
    assert [s["user_id"] for s in staff(client, caseworker, status="departed")] == ["olle.ek"]
    assert [s["user_id"] for s in staff(client, caseworker, status="active")] == ["lisa.holm"]
    assert len(staff(client, caseworker)) == 3
    assert [s["user_id"] for s in staff(client, söderhamn)] == ["per.sund"]
    national = staff(client, auth("aud", "auditor", "*"))
    assert len(national) == 4
    hidden = staff(client, auth("eva", "evaluator", "*"))
    assert not {"karin.berg", "olle.ek", "lisa.holm", "per.sund"} & {s["user_id"] for s in hidden}
    bad = client.get("/api/v1/staff", params={"status": "retired"}, headers=caseworker)
    assert bad.status_code == 422


def test_bad_leaves_and_returns_are_refused_and_write_nothing(
    client: TestClient, caseworker: Headers
) -> None:
    before = (TODAY - timedelta(days=1)).isoformat()
    assert (
        post(client, caseworker, "karin.berg", "leave", {**LEAVE, "ends_on": before}).status_code
        == 422
    )
    assert (
        post(client, caseworker, "karin.berg", "leave", {**LEAVE, "note": " "}).status_code == 422
    )
    assert post(client, caseworker, "karin.berg", "leave", {"note": "x"}).status_code == 422
    assert post(client, caseworker, "karin.berg", "return", BACK).status_code == 409
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    assert not store.recorder.max_notification_id()
    post(client, caseworker, "karin.berg", "leave", LEAVE)
    again = post(client, caseworker, "karin.berg", "leave", LEAVE)
    assert again.status_code == 409 and "already on leave" in again.json()["detail"]


def test_only_writers_record_leave(client: TestClient, auth: Callable[..., Headers]) -> None:
    assert (
        post(client, auth("eva", "evaluator", ÅTVIDABERG), "k.b", "leave", LEAVE).status_code == 403
    )
    assert post(client, auth("aud", "auditor", "*"), "k.b", "return", BACK).status_code == 403
    assert post(client, {}, "k.b", "leave", LEAVE).status_code == 401


def test_leave_return_and_follow_ups_project_alike_on_every_backend(samverkan: Samverkan) -> None:
    anna = CommandContext(actor=Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG))
    dispatch = samverkan.bus.dispatch
    opened = dispatch(c.OpenIssue(**issue_body()), anna)
    dispatch(c.SetFollowUp(issue_id=opened.id, due_on=TODAY, note="Ring byalaget."), anna)
    leave = c.StartLeave(
        municipality=ÅTVIDABERG, user_id="karin.berg", starts_on=TODAY, note="Ledig."
    )
    dispatch(leave, anna)
    back = c.EndLeave(municipality=ÅTVIDABERG, user_id="karin.berg", note="Tillbaka.")
    result = dispatch(back, anna)

    assert result.version == 2
    with samverkan.events.transaction() as session:
        status = session.execute(select(VIEWS["staff_member"].c.status)).scalar_one()
        due = session.execute(select(VIEWS["follow_up"].c.due_on)).scalar_one()
    assert (status, due) == ("active", TODAY)
    national = Actor("aud", Role.AUDITOR, "*")
    [item] = FollowUps(samverkan.events).due(national, None, None, TODAY)
    assert (item["note"], item["overdue"]) == ("Ring byalaget.", False)


def test_a_departed_users_calendar_feed_is_refused_too(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    karin = auth("karin.berg", "caseworker", ÅTVIDABERG)
    url = client.post("/api/v1/feeds", json={"kind": "follow-ups"}, headers=karin).json()["url"]
    assert client.get(url).status_code == 200
    post(client, caseworker, "karin.berg", "handover", HANDOVER)
    refused = client.get(url)
    assert refused.status_code == 401 and "departed" in refused.json()["detail"]
