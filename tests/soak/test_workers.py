"""`samverkan serve --workers 2` on PostgreSQL: read-your-writes across workers; clean SIGTERM."""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import settings_for
from tests.soak.load import commands_for, open_issues, send_all
from tests.soak.servers import Server, caseworker_headers, issue_body, running

pytestmark = pytest.mark.soak

ROUNDS = 40


def worker_of_fresh_connection(server: Server) -> str:
    """Which worker answered: each worker process has its own start time in /metrics."""
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    found = re.search(r"^process_start_time_seconds (\S+)$", metrics, re.MULTILINE)
    assert found is not None
    return found.group(1)


@pytest.mark.postgres
def test_a_write_through_one_worker_is_read_through_any_other(tmp_path: Path) -> None:
    settings = settings_for("postgres", tmp_path / "var")
    headers = caseworker_headers(settings)
    workers_seen: set[str] = set()
    with running(settings, workers=2) as server:
        for n in range(ROUNDS):
            # A new connection for each request: the kernel hands it to either worker.
            written = httpx.post(
                f"{server.url}/api/v1/issues",
                json=issue_body(f"Postombud i Trönö {n + 1}"),
                headers=headers,
            )
            assert written.status_code == 201, written.text
            issue = written.json()
            read = httpx.get(f"{server.url}/api/v1/issues/{issue['id']}", headers=headers)
            assert (read.status_code, read.json()["version"]) == (200, issue["version"])
            listed = httpx.get(f"{server.url}/api/v1/issues?limit=200", headers=headers).json()
            assert issue["id"] in {item["id"] for item in listed["items"]}
            workers_seen.add(worker_of_fresh_connection(server))
    print(f"\nworkers: {ROUNDS} writes read back on fresh connections, {len(workers_seen)} workers")
    assert len(workers_seen) == 2


@pytest.mark.parametrize(
    ("backend", "workers"),
    [("sqlite", 1), pytest.param("postgres", 2, marks=pytest.mark.postgres)],
)
def test_sigterm_under_load_exits_cleanly_within_ten_seconds(
    backend: str, workers: int, tmp_path: Path
) -> None:
    settings = settings_for(backend, tmp_path / "var")
    headers = caseworker_headers(settings)
    server = Server(settings, workers=workers).start()
    try:
        issues = open_issues(server, headers, 2)
        commands = [commands_for(w, issues[w], 200, "term") for w in range(2)]
        load = [
            threading.Thread(target=send_all, args=(server.url, headers, cs, 0.05))
            for cs in commands
        ]
        for thread in load:
            thread.start()
        while sum(c.acknowledged for cs in commands for c in cs) < 20:
            threading.Event().wait(0.01)
        exit_code = server.terminate(within=10)  # raises TimeoutExpired if it hangs
        for thread in load:
            thread.join(timeout=120)
    finally:
        server.stop()
    # uvicorn shuts down gracefully, then re-raises SIGTERM: the exit status says "terminated
    # by SIGTERM", which service managers count as a clean stop (systemd's SuccessExitStatus).
    assert exit_code in (0, -signal.SIGTERM)
    every = [c for cs in commands for c in cs]
    answered = {s for c in every for s in c.statuses if isinstance(s, int)}
    cut_off = {s for c in every for s in c.statuses if isinstance(s, str)}
    assert answered <= {200, 201}
    # Requests in flight were answered; later ones found the port closed (ConnectError) or
    # their idle keep-alive connection closed by the shutdown (ReadError): never a 5xx.
    assert cut_off <= {"ConnectError", "ReadError"}
