"""Follow-ups (bevakning): set, replace, clear, the list (JSON and ICS), and the insight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from infrastructure.views.read_models import VIEWS
from infrastructure.views.replay import fresh_views, rebuild
from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers

LIST = "/api/v1/follow-ups"
PD = "/api/v1/insights/person-dependency"


def follow_up(client: TestClient, headers: Headers, issue_id: str, days: int, note: str) -> Any:
    body = {"due_on": (TODAY + timedelta(days=days)).isoformat(), "note": note}
    return client.put(f"/api/v1/issues/{issue_id}/follow-up", json=body, headers=headers)


def listed(client: TestClient, headers: Headers, **params: str) -> list[dict[str, Any]]:
    response = client.get(LIST, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_the_list_puts_overdue_first_and_says_by_how_much(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    later, overdue, today = open_issue(), open_issue(locality="Grebo"), open_issue()
    assert follow_up(client, caseworker, later, 30, "Kolla bidraget.").status_code == 200
    assert follow_up(client, caseworker, overdue, -3, "Ring ordföranden.").status_code == 200
    assert follow_up(client, caseworker, today, 0, "Möte i dag.").status_code == 200

    items = listed(client, caseworker)
    assert [i["issue_id"] for i in items] == [overdue, today, later]
    assert [(i["overdue"], i["days_overdue"]) for i in items] == [(True, 3), (False, 0), (False, 0)]
    assert items[0]["locality"] == "Grebo" and items[0]["note"] == "Ring ordföranden."
    assert items[0]["set_by"] == "anna.lind"
    assert [i["issue_id"] for i in listed(client, caseworker, overdue="true")] == [overdue]
    assert len(listed(client, caseworker, overdue="false")) == 2


def test_setting_again_replaces_and_clearing_removes(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    follow_up(client, caseworker, issue_id, -10, "Första.")
    follow_up(client, caseworker, issue_id, 14, "Flyttad två veckor.")
    [item] = listed(client, caseworker)
    assert (item["note"], item["overdue"]) == ("Flyttad två veckor.", False)

    cleared = client.delete(f"/api/v1/issues/{issue_id}/follow-up", headers=caseworker)
    assert cleared.status_code == 200 and cleared.json()["version"] == 4
    assert listed(client, caseworker) == []
    again = client.delete(f"/api/v1/issues/{issue_id}/follow-up", headers=caseworker)
    assert again.status_code == 409
    history = client.get(f"/api/v1/issues/{issue_id}/history", headers=caseworker).json()
    kinds = [e["type"] for e in history["items"]]
    assert kinds.count("Issue.FollowUpSet") == 2 and kinds[-1] == "Issue.FollowUpCleared"


def test_a_closed_issue_keeps_its_follow_up_out_of_the_list_until_reopened(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    follow_up(client, caseworker, issue_id, 5, "Kolla igen.")
    client.post(
        f"/api/v1/issues/{issue_id}/close", json={"reason": "Dubblett."}, headers=caseworker
    )
    assert listed(client, caseworker) == []
    assert follow_up(client, caseworker, issue_id, 5, "Stängt ärende.").status_code == 409
    client.post(f"/api/v1/issues/{issue_id}/reopen", json={"reason": "Åter."}, headers=caseworker)
    assert len(listed(client, caseworker)) == 1


def test_an_overdue_follow_up_is_a_warning_sign_in_person_dependency(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    late, fine = open_issue(), open_issue(locality="Grebo")
    follow_up(client, caseworker, late, -1, "Skulle ha ringt i går.")
    follow_up(client, caseworker, fine, 1, "Ring i morgon.")
    report = client.get(PD, headers=caseworker).json()
    flags = {i["issue_id"]: i["flags"] for i in report["issues"]}
    assert (flags[late]["overdue_follow_up"], flags[fine]["overdue_follow_up"]) == (True, False)
    places = {p["locality"]: p["flags"]["overdue_follow_up"] for p in report["localities"]}
    assert places == {"Falerum": True, "Grebo": False}
    assert report["issues"][0]["issue_id"] == late  # most flags first


def test_the_ics_feed_has_one_event_per_follow_up_and_takes_a_feed_token(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    follow_up(client, caseworker, issue_id, -2, "Ring byalaget om lokalen.")
    created = client.post("/api/v1/feeds", json={"kind": "follow-ups"}, headers=caseworker)
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    assert "/api/v1/follow-ups?" in url and "format=ics" in url

    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]) == f"{issue_id}-follow-up@samverkan.se"
    assert event["dtstart"].dt == TODAY - timedelta(days=2)
    assert "Bevakning: Butiken i Falerum" in str(event["summary"])
    assert "Försenad 2 dagar" in str(event["description"])
    token = caseworker["Authorization"].removeprefix("Bearer ")
    bearer_in_url = {"format": "ics", "access_token": token}
    assert client.get(LIST, params=bearer_in_url).status_code == 401  # feed tokens only
    assert client.get(url.replace("format=ics", "format=json")).status_code == 401


def test_scope_and_evaluators(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    ours = open_issue()
    follow_up(client, caseworker, ours, 3, "Internt: ring Karin Berg privat.")
    söderhamn = auth("sven.dahl", "caseworker", SÖDERHAMN)
    theirs = open_issue(headers=söderhamn, municipality=SÖDERHAMN, locality="Trönö")
    follow_up(client, söderhamn, theirs, 3, "Trönö.")
    assert [i["issue_id"] for i in listed(client, caseworker)] == [ours]
    assert listed(client, caseworker, municipality=SÖDERHAMN) == []
    assert len(listed(client, auth("aud", "auditor", "*"))) == 2
    seen = client.get(LIST, headers=auth("eva", "evaluator", "*"))
    assert "Karin Berg" not in seen.text and "anna.lind" not in seen.text
    assert follow_up(client, söderhamn, ours, 3, "Främmande.").status_code == 404


def test_bad_follow_ups_are_422_and_write_nothing(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue_id = open_issue()
    path = f"/api/v1/issues/{issue_id}/follow-up"
    for body in (
        {"due_on": "2025-13-01", "note": "x"},
        {"due_on": 20250101, "note": "x"},
        {"due_on": "2025-01-01", "note": " "},
        {"due_on": "2025-01-01"},
        {"due_on": "2025-01-01", "note": "x", "extra": 1},
    ):
        assert client.put(path, json=body, headers=caseworker).status_code == 422, body
    assert client.get(LIST, params={"format": "pdf"}, headers=caseworker).status_code == 422
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    assert store.recorder.max_notification_id() == 1  # only the opening


def test_the_follow_up_view_rebuilds_from_the_log_as_it_was(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    kept, cleared = open_issue(), open_issue()
    follow_up(client, caseworker, kept, -4, "Kvar.")
    follow_up(client, caseworker, cleared, 4, "Bort.")
    client.delete(f"/api/v1/issues/{cleared}/follow-up", headers=caseworker)
    store = client.app.state.samverkan.events  # type: ignore[attr-defined]
    replayed = fresh_views(store, "_fu")
    rebuild(store, replayed)
    with store.transaction() as session:
        live = [dict(r) for r in session.execute(select(VIEWS["follow_up"])).mappings()]
        again = [dict(r) for r in session.execute(select(replayed["follow_up"])).mappings()]
    assert live == again and [r["issue_id"] for r in live] == [kept]


def test_the_issue_view_shows_its_follow_up_now_and_as_it_was(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
) -> None:
    issue_id = open_issue()
    path = f"/api/v1/issues/{issue_id}"
    assert client.get(path, headers=caseworker).json()["follow_up"] is None
    follow_up(client, caseworker, issue_id, 7, "Ring ordföranden Karin Berg.")
    follow_up(client, caseworker, issue_id, 21, "Flyttad: styrelsemöte först.")

    now = client.get(path, headers=caseworker).json()["follow_up"]
    assert (now["due_on"], now["note"]) == (
        (TODAY + timedelta(days=21)).isoformat(),
        "Flyttad: styrelsemöte först.",
    )
    then = client.get(path, params={"version": 2}, headers=caseworker).json()["follow_up"]
    assert then["note"] == "Ring ordföranden Karin Berg."
    assert client.get(path, params={"version": 1}, headers=caseworker).json()["follow_up"] is None
    seen = client.get(path, headers=auth("eva", "evaluator", ÅTVIDABERG)).json()["follow_up"]
    assert seen["note"] is None and seen["set_by"] != "anna.lind"
