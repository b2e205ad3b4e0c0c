"""Many writers on one issue against one real server process: no lost update, no 5xx.

The server is `samverkan serve` in a subprocess, on the SQLite file and on PostgreSQL, and every
writer is a thread with its own HTTP connection, as separate clients would be.
"""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import settings_for
from tests.soak.servers import (
    SAMVERKAN,
    Server,
    caseworker_headers,
    issue_body,
    note_body,
    running,
    server_env,
)

WRITERS, COMMANDS_EACH = 16, 25


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server a backend for the module: each test works on an issue of its own."""
    settings = settings_for(str(request.param), tmp_path_factory.mktemp("writers") / "var")
    with running(settings) as started:
        yield started


def open_issue(server: Server, headers: dict[str, str]) -> str:
    response = httpx.post(f"{server.url}/api/v1/issues", json=issue_body(), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def run_writers(count: int, write: object) -> None:
    start = threading.Barrier(count)

    def writer(number: int) -> None:
        start.wait()
        write(number)  # type: ignore[operator]

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def test_sixteen_writers_without_if_match_lose_no_update(server: Server) -> None:
    headers = caseworker_headers(server.settings)
    issue_id = open_issue(server, headers)
    answered: list[int] = []  # list.append is atomic; `Counter[...] += 1` across threads is not

    def write(number: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            for n in range(COMMANDS_EACH):
                text = f"Samtal {n + 1} med byalaget i Falerum, skribent {number + 1}."
                response = client.post(f"/api/v1/issues/{issue_id}/notes", json=note_body(text))
                answered.append(response.status_code)

    run_writers(WRITERS, write)

    assert Counter(answered) == Counter({200: WRITERS * COMMANDS_EACH})
    view = httpx.get(f"{server.url}/api/v1/issues/{issue_id}", headers=headers).json()
    assert view["version"] == 1 + WRITERS * COMMANDS_EACH  # every acknowledged note is stored


def test_writers_sharing_one_etag_let_exactly_one_through(server: Server) -> None:
    headers = caseworker_headers(server.settings)
    issue_id = open_issue(server, headers)
    answers: dict[int, httpx.Response] = {}

    def write(number: int) -> None:
        answers[number] = httpx.patch(
            f"{server.url}/api/v1/issues/{issue_id}",
            json={"title": f"Ny rubrik från skribent {number + 1}"},
            headers={**headers, "If-Match": '"1"'},
            timeout=60,
        )

    run_writers(WRITERS, write)

    statuses = Counter(a.status_code for a in answers.values())
    assert statuses == Counter({200: 1, 412: WRITERS - 1})
    assert all(
        a.headers["content-type"] == "application/problem+json"
        for a in answers.values()
        if a.status_code == 412
    )
    winner = next(n for n, a in answers.items() if a.status_code == 200)
    view = httpx.get(f"{server.url}/api/v1/issues/{issue_id}", headers=headers).json()
    assert (view["version"], view["title"]) == (2, f"Ny rubrik från skribent {winner + 1}")


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path / "var")
    refused = subprocess.run(
        [SAMVERKAN, "serve", "--workers", "2", "--port", "18699"],
        env=server_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "SQLite has one writer" in refused.stderr
    assert not (settings.var_dir / "samverkan.db").exists()  # refused before touching the store
