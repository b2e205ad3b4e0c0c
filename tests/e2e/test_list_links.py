"""`Link: <...>; rel="next"` on every list answer that has a next page (RFC 8288).

The link is the same path and query with `cursor=<next_cursor>`; following it gives the next
page, and the last page carries none. Every list of the app is walked, including the history
routes and the global log, so a list added later is covered by the same layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from interfaces.http.paging import next_cursor
from tests.e2e.conftest import Headers

LINK = re.compile(r'^<([^>]+)>; rel="next"$')


def next_link(response: object) -> str | None:
    header = response.headers.get("link")  # type: ignore[attr-defined]
    if header is None:
        return None
    found = LINK.match(header)
    assert found, header
    return found.group(1)


@pytest.fixture
def world(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> dict[str, str]:
    """Three of each record in Åtvidaberg, in Falerum, and an issue with three events."""
    issue_ids = [open_issue(locality="Falerum") for _ in range(3)]
    for text in ("Byamöte i Falerum.", "Samtal med handlaren."):
        note = {"kind": "meeting", "text": text, "occurred_on": "2024-05-02"}
        answer = client.post(f"/api/v1/issues/{issue_ids[0]}/notes", json=note, headers=caseworker)
        assert answer.status_code == 200, answer.text
    for issue_id in issue_ids:
        for path, body in (
            ("task-forces", _task_force(issue_id)),
            ("decisions", _decision(issue_id)),
            ("outcomes", _outcome(issue_id)),
        ):
            answer = client.post(f"/api/v1/{path}", json=body, headers=caseworker)
            assert answer.status_code == 201, answer.text
    return {"issue_id": issue_ids[0]}


def _task_force(issue_id: str) -> dict[str, object]:
    lead = {"display_name": "Karin Berg", "organisation": "Kommunen", "role": "strateg"}
    mandate = "Ta fram ett förslag på servicepunkt."
    return {
        "issue_id": issue_id,
        "name": "Insatsstyrka Falerum",
        "mandate": mandate,
        "due_on": "2099-06-30",
        "lead": lead,
    }


def _decision(issue_id: str) -> dict[str, object]:
    return {
        "issue_id": issue_id,
        "title": "Stöd till butiken",
        "rationale": "Närmaste butik ligger tre mil bort.",
        "decision_body": "Kommunstyrelsen",
    }


def _outcome(issue_id: str) -> dict[str, object]:
    summary = "Butiken har öppet sex dagar i veckan."
    return {
        "issue_id": issue_id,
        "decision_ids": [],
        "summary": summary,
        "indicators": [],
        "observed_on": "2024-09-30",
    }


LISTS = [
    "/api/v1/issues",
    "/api/v1/task-forces",
    "/api/v1/decisions",
    "/api/v1/outcomes",
    "/api/v1/audit/events",
    "/api/v1/issues/{issue_id}/history",
]


@pytest.mark.parametrize("path", LISTS)
def test_each_list_links_to_its_next_page_until_the_last(
    client: TestClient, auth: Callable[..., Headers], world: dict[str, str], path: str
) -> None:
    admin = auth("sara.admin", "admin", "0561")
    url: str | None = path.format(**world) + "?limit=2&municipality=0561"
    if "history" in path or "audit" in path:
        url = path.format(**world) + "?limit=2"
    pages = 0
    seen: list[object] = []
    while url is not None:
        response = client.get(url, headers=admin)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item.get("id") or item.get("position") for item in page["items"]]
        link = next_link(response)
        if page["next_cursor"] is None:
            assert link is None
        else:
            assert link is not None, f"{url}: a next page without a Link header"
            target = urlsplit(link)
            assert target.path == urlsplit(url).path
            query = parse_qs(target.query)
            assert query["cursor"] == [page["next_cursor"]]
            assert query["limit"] == ["2"]
        url, pages = link, pages + 1
    assert pages >= 2 and len(seen) == len(set(seen)) >= 3


def test_the_link_keeps_every_filter_and_replaces_the_cursor(
    client: TestClient, caseworker: Headers, world: dict[str, str]
) -> None:
    first = client.get(
        "/api/v1/issues", params={"limit": 1, "locality": "Falerum"}, headers=caseworker
    )
    second = client.get(next_link(first) or "", headers=caseworker)
    link = next_link(second)
    assert link is not None
    query = parse_qs(urlsplit(link).query)
    assert query == {
        "limit": ["1"],
        "locality": ["Falerum"],
        "cursor": [second.json()["next_cursor"]],
    }


def test_a_single_page_and_a_view_carry_no_link(
    client: TestClient, caseworker: Headers, world: dict[str, str]
) -> None:
    assert "link" not in client.get("/api/v1/issues", headers=caseworker).headers
    view = client.get(f"/api/v1/issues/{world['issue_id']}", headers=caseworker)
    assert view.status_code == 200 and "link" not in view.headers


def test_the_schema_documents_the_header_on_every_list(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in LISTS:
        ok = paths[path]["get"]["responses"]["200"]
        assert "Link" in ok["headers"], path


def test_only_the_pages_own_cursor_counts() -> None:
    """A key-like text inside a value is escaped, and nested keys are not the page's."""
    text_with_a_key = b'{"items":[{"text":"\\"next_cursor\\":\\"x\\"}"}],"next_cursor":null}'
    assert next_cursor(text_with_a_key) is None
    assert next_cursor(b'{"items":[],"next_cursor":"eyJwIjogMn0"}') == "eyJwIjogMn0"
    assert next_cursor(b'{"items":[{"next_cursor":"a"}],"total":3}') is None
