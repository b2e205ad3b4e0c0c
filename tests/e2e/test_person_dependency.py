"""The person-dependency insight: each flag is raised where it must be, and only there.

`get_now` is replaced to look at the same history from later days, so nothing here waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from application import commands as c
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan
from infrastructure.views.insights import Insights
from infrastructure.views.read_models import VIEWS
from interfaces.http.routers.insights import get_now
from tests.e2e.conftest import (
    SÖDERHAMN,
    TODAY,
    ÅTVIDABERG,
    Headers,
    issue_body,
    task_force_body,
)

PATH = "/api/v1/insights/person-dependency"


@pytest.fixture
def days_later(client: TestClient) -> Iterator[Callable[[int], None]]:
    def move(days: int) -> None:
        later = datetime.now(UTC) + timedelta(days=days)
        client.app.dependency_overrides[get_now] = lambda: later  # type: ignore[attr-defined]

    yield move
    client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


@pytest.fixture
def colleague(auth: Callable[..., Headers]) -> Headers:
    return auth("olle.ek", "caseworker", ÅTVIDABERG)


def note(client: TestClient, headers: Headers, issue_id: str, text: str = "Samtal") -> None:
    body = {"kind": "phone", "text": text, "occurred_on": TODAY.isoformat()}
    assert client.post(f"/api/v1/issues/{issue_id}/notes", json=body, headers=headers).is_success


def insight_for(client: TestClient, headers: Headers, issue_id: str) -> dict[str, Any]:
    report = client.get(PATH, headers=headers).json()
    return next(i for i in report["issues"] if i["issue_id"] == issue_id)


def locality(client: TestClient, headers: Headers, name: str) -> dict[str, Any]:
    report = client.get(PATH, headers=headers).json()
    return next(i for i in report["localities"] if i["locality"] == name)


def test_one_person_doing_everything_is_single_person(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    note(client, caseworker, issue_id)
    found = insight_for(client, caseworker, issue_id)
    assert found["flags"]["single_person"] is True
    assert (found["actors"], found["busiest_actor"], found["busiest_actor_share"]) == (
        1,
        "anna.lind",
        1.0,
    )
    assert found["last_activity_by_others_at"] is None
    assert locality(client, caseworker, "Falerum")["flags"]["single_person"] is True


def test_a_colleague_in_the_window_clears_single_person(
    client: TestClient,
    caseworker: Headers,
    colleague: Headers,
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    note(client, caseworker, issue_id)
    note(client, caseworker, issue_id)
    note(client, colleague, issue_id)
    found = insight_for(client, caseworker, issue_id)
    assert found["flags"]["single_person"] is False
    assert (found["actors"], found["actors_last_90_days"]) == (2, 2)
    assert (found["busiest_actor"], found["busiest_actor_share"]) == ("anna.lind", 0.75)
    assert found["last_activity_by_others_at"] is not None


def test_a_colleague_only_before_the_window_leaves_single_person_raised(
    client: TestClient,
    caseworker: Headers,
    colleague: Headers,
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    note(client, colleague, issue_id)
    note(client, caseworker, issue_id)
    log = VIEWS["log"]
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    with store.transaction() as session:  # olle.ek's part happened four months ago
        session.execute(
            update(log)
            .where(log.c.actor_user == "olle.ek")
            .values(occurred_at=datetime.now(UTC) - timedelta(days=120))
        )
    found = insight_for(client, caseworker, issue_id)
    assert (found["actors"], found["actors_last_90_days"]) == (2, 1)
    assert found["flags"]["single_person"] is True


def test_nothing_for_sixty_days_is_stale_and_not_single_person(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    days_later: Callable[[int], None],
) -> None:
    issue_id = open_issue()
    days_later(59)
    assert insight_for(client, caseworker, issue_id)["flags"]["stale"] is False
    days_later(61)
    assert insight_for(client, caseworker, issue_id)["flags"]["stale"] is True
    days_later(91)
    found = insight_for(client, caseworker, issue_id)
    assert (found["events_last_90_days"], found["flags"]["single_person"]) == (0, False)
    assert locality(client, caseworker, "Falerum")["flags"]["stale"] is True


def test_responsibility_with_a_departed_user_is_orphaned(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    kept, orphan = open_issue(), open_issue()
    leave = {"to_user": "olle.ek", "note": "Allt finns i diariet."}
    client.post("/api/v1/staff/karin.berg/handover", json=leave, headers=caseworker)
    for issue_id, user in ((kept, "olle.ek"), (orphan, "karin.berg")):
        body = {"unit": "Näringslivsenheten", "role": "strateg", "user_id": user}
        client.put(f"/api/v1/issues/{issue_id}/responsibility", json=body, headers=caseworker)

    assert insight_for(client, caseworker, kept)["flags"]["orphaned"] is False
    assert insight_for(client, caseworker, orphan)["flags"]["orphaned"] is True
    assert locality(client, caseworker, "Falerum")["flags"]["orphaned"] is True

    client.post("/api/v1/staff/karin.berg/handover", json=leave, headers=caseworker)
    assert insight_for(client, caseworker, orphan)["flags"]["orphaned"] is False


def test_a_task_force_led_by_a_departed_user_orphans_its_issue(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    leave = {"to_user": "olle.ek", "note": "Allt finns i diariet."}
    client.post("/api/v1/staff/karin.berg/handover", json=leave, headers=caseworker)
    body = task_force_body(issue_id)
    body["lead"] = {**body["lead"], "user_id": "karin.berg"}
    client.post("/api/v1/task-forces", json=body, headers=caseworker)
    assert insight_for(client, caseworker, issue_id)["flags"]["orphaned"] is True


def test_a_lead_alone_in_their_organisation_without_handover_lacks_backup(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue()
    tf = form_task_force(issue_id)
    colleague = {"display_name": "Olle Ek", "organisation": "Åtvidabergs kommun", "role": "x"}
    client.post(f"/api/v1/task-forces/{tf}/members", json=colleague, headers=caseworker)
    found = insight_for(client, caseworker, issue_id)
    assert found["flags"]["lead_without_backup"] is True
    assert [t["task_force_id"] for t in found["fragile_task_forces"]] == [tf]
    assert found["fragile_task_forces"][0]["lead_display_name"] == "Karin Berg"

    village = {"display_name": "Per Ås", "organisation": "Falerums byalag", "role": "ordf."}
    client.post(f"/api/v1/task-forces/{tf}/members", json=village, headers=caseworker)
    assert insight_for(client, caseworker, issue_id)["flags"]["lead_without_backup"] is False


def test_a_recorded_handover_note_gives_the_lead_backup(
    client: TestClient,
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue()
    tf = form_task_force(issue_id)
    colleague = {"display_name": "Olle Ek", "organisation": "Åtvidabergs kommun", "role": "x"}
    olle = client.post(f"/api/v1/task-forces/{tf}/members", json=colleague, headers=caseworker)
    handover = {"to_member_id": olle.json()["member_id"], "note": "Kontakterna i diariet."}
    client.post(f"/api/v1/task-forces/{tf}/handover", json=handover, headers=caseworker)
    assert insight_for(client, caseworker, issue_id)["flags"]["lead_without_backup"] is False


def test_closed_issues_are_left_out_but_count_for_their_locality(
    client: TestClient, caseworker: Headers, colleague: Headers, open_issue: Callable[..., str]
) -> None:
    closed = open_issue(headers=colleague)
    client.post(f"/api/v1/issues/{closed}/close", json={"reason": "Dubblett."}, headers=colleague)
    report = client.get(PATH, headers=caseworker).json()
    assert report["issues"] == []
    falerum = locality(client, caseworker, "Falerum")
    assert (falerum["open_issues"], falerum["busiest_actor"]) == (0, "olle.ek")


def test_evaluators_get_pseudonyms_and_callers_only_their_municipality(
    client: TestClient,
    auth: Callable[..., Headers],
    caseworker: Headers,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue()
    form_task_force(issue_id)
    söderhamn = auth("sven.dahl", "caseworker", SÖDERHAMN)
    open_issue(headers=söderhamn, municipality=SÖDERHAMN, locality="Trönö")

    evaluator = client.get(PATH, headers=auth("eva", "evaluator", "*"))
    assert evaluator.status_code == 200
    assert "anna.lind" not in evaluator.text and "Karin Berg" not in evaluator.text
    assert {i["municipality"] for i in evaluator.json()["issues"]} == {ÅTVIDABERG, SÖDERHAMN}
    only = client.get(PATH, params={"municipality": SÖDERHAMN}, headers=auth("e", "evaluator", "*"))
    assert [i["locality"] for i in only.json()["issues"]] == ["Trönö"]
    own = client.get(PATH, headers=söderhamn).json()
    assert [i["locality"] for i in own["issues"]] == ["Trönö"]
    foreign = client.get(PATH, params={"municipality": ÅTVIDABERG}, headers=söderhamn).json()
    assert foreign["issues"] == [] and foreign["localities"] == []
    assert client.get(PATH, headers={}).status_code == 401
    assert client.get(PATH, params={"municipality": "561"}, headers=caseworker).status_code == 422


def test_the_openapi_schema_documents_each_flags_rule(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/insights/person-dependency" in schema["paths"]
    flags = schema["components"]["schemas"]["DependencyFlags"]["properties"]
    assert "90 days" in flags["single_person"]["description"]
    assert "60 days" in flags["stale"]["description"]
    assert "departed" in flags["orphaned"]["description"]
    assert "handover" in flags["lead_without_backup"]["description"]
    assert "leave" in flags["on_leave"]["description"]
    assert "before today" in flags["overdue_follow_up"]["description"]


def test_the_insight_reads_the_same_on_every_backend(samverkan: Samverkan) -> None:
    anna = CommandContext(actor=Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG))
    olle = CommandContext(actor=Actor("olle.ek", Role.CASEWORKER, ÅTVIDABERG))
    opened = samverkan.bus.dispatch(c.OpenIssue(**issue_body()), anna)
    for context in (anna, anna, olle):
        note = c.AddNote(issue_id=opened.id, kind="meeting", text="Möte", occurred_on=TODAY)
        samverkan.bus.dispatch(note, context)
    national = Actor("eva", Role.EVALUATOR, "*")
    report = Insights(samverkan.events).person_dependency(national, None, datetime.now(UTC))
    [found] = report["issues"]
    assert (found["events"], found["actors_last_90_days"]) == (4, 2)
    assert (found["busiest_actor"], found["busiest_actor_share"]) == ("anna.lind", 0.75)
    assert found["flags"] == {
        "single_person": False,
        "stale": False,
        "orphaned": False,
        "lead_without_backup": False,
        "on_leave": False,
        "overdue_follow_up": False,
        "service_closed_without_dialogue": False,
    }
    later = datetime.now(UTC) + timedelta(days=100)
    [stale] = Insights(samverkan.events).person_dependency(national, None, later)["issues"]
    assert (stale["events_last_90_days"], stale["flags"]["stale"]) == (0, True)
