"""Time travel: a record as it was at a version or an instant, rebuilt from its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from tests.e2e.conftest import TODAY, Headers

STOCKHOLM_SUMMER = timezone(timedelta(hours=2))


def occurred_at(client: TestClient, path: str, headers: Headers, version: int) -> datetime:
    items = client.get(f"{path}/history", headers=headers).json()["items"]
    return datetime.fromisoformat(items[version - 1]["occurred_at"])


def test_a_version_shows_the_issue_as_it_was_with_that_etag(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    path = f"/api/v1/issues/{open_issue()}"
    note = {"kind": "meeting", "text": "Möte i Falerum.", "occurred_on": TODAY.isoformat()}
    client.post(f"{path}/notes", json=note, headers=caseworker)
    client.patch(path, json={"title": "Dagligvaror i Falerum"}, headers=caseworker)
    client.post(f"{path}/resolve", json={"summary": "Butiken blir kvar."}, headers=caseworker)

    first = client.get(path, headers=caseworker, params={"version": 1})
    assert first.status_code == 200
    assert first.headers["ETag"] == '"1"'
    assert (first.json()["version"], first.json()["title"]) == (1, "Butiken i Falerum kan stänga")
    assert first.json()["notes"] == []
    second = client.get(path, headers=caseworker, params={"version": 2}).json()
    assert [n["text"] for n in second["notes"]] == ["Möte i Falerum."]
    third = client.get(path, headers=caseworker, params={"version": 3})
    assert third.headers["ETag"] == '"3"'
    assert (third.json()["title"], third.json()["status"]) == ("Dagligvaror i Falerum", "open")
    now = client.get(path, headers=caseworker)
    assert (now.headers["ETag"], now.json()["status"]) == ('"4"', "resolved")


def test_a_version_beyond_the_newest_is_404(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    path = f"/api/v1/issues/{open_issue()}"
    response = client.get(path, headers=caseworker, params={"version": 2})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(path, headers=caseworker, params={"version": 0}).status_code == 422


def test_as_of_shows_the_state_at_an_instant_in_any_offset(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    path = f"/api/v1/issues/{open_issue()}"
    client.patch(path, json={"title": "Dagligvaror i Falerum"}, headers=caseworker)
    opened = occurred_at(client, path, caseworker, 1)
    edited = occurred_at(client, path, caseworker, 2)
    between = opened + (edited - opened) / 2
    for instant in (opened, between, between.astimezone(STOCKHOLM_SUMMER)):
        response = client.get(path, headers=caseworker, params={"as_of": instant.isoformat()})
        assert response.status_code == 200
        assert response.headers["ETag"] == '"1"'
        assert response.json()["title"] == "Butiken i Falerum kan stänga"
    later = client.get(path, headers=caseworker, params={"as_of": edited.isoformat()})
    assert (later.headers["ETag"], later.json()["title"]) == ('"2"', "Dagligvaror i Falerum")


def test_as_of_before_the_record_existed_is_404(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    path = f"/api/v1/issues/{open_issue()}"
    before = occurred_at(client, path, caseworker, 1) - timedelta(microseconds=1)
    response = client.get(path, headers=caseworker, params={"as_of": before.isoformat()})
    assert response.status_code == 404
    naive = client.get(path, headers=caseworker, params={"as_of": "2024-05-01T10:00:00"})
    assert naive.status_code == 422


def test_a_task_force_at_a_version_shows_its_members_then(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    path = f"/api/v1/task-forces/{form_task_force(open_issue())}"
    member = {"display_name": "Lars Nord", "organisation": "Falerums byalag", "role": "ordförande"}
    client.post(f"{path}/members", json=member, headers=caseworker)
    auditor = auth("ulla.revisor", "auditor", "*")
    then = client.get(path, headers=auditor, params={"version": 1})
    assert then.headers["ETag"] == '"1"'
    assert [m["display_name"] for m in then.json()["members"]] == ["Karin Berg"]
    now = client.get(path, headers=auditor).json()
    assert [m["display_name"] for m in now["members"]] == ["Karin Berg", "Lars Nord"]
