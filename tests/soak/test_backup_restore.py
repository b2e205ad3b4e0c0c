"""The restore drill: back up while 16 writers run against a real server, restore, and check.

Every command acknowledged up to the backup's position is in the copy, at the same position and
version; the copy's chain is intact; `replay --check` is clean; and a server starts on the copy
and takes new commands after that position.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from tests.conftest import settings_for
from tests.integration.test_backup_restore import restore_target, samverkan
from tests.soak.load import Sent, commands_for, in_threads, open_issues, stored_events
from tests.soak.servers import Server, caseworker_headers, issue_body, running

pytestmark = pytest.mark.soak

WRITERS, COMMANDS_EACH = 16, 2000
ACKS_BEFORE_BACKUP = 120


def write_until(
    stop: threading.Event, server: Server, headers: dict[str, str], commands: list[Sent]
) -> None:
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        for command in commands:
            if stop.is_set():
                return
            command.send(client)


def as_uuid(value: object) -> UUID:
    return UUID(bytes=value) if isinstance(value, bytes) else UUID(str(value))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_backup_taken_under_load_restores_every_acknowledged_command(
    backend: str, tmp_path: Path
) -> None:
    settings = settings_for(backend, tmp_path / "var")
    headers = caseworker_headers(settings)
    server = Server(settings).start()
    try:
        issues = open_issues(server, headers, WRITERS)
        commands = [commands_for(w, issues[w], COMMANDS_EACH, "drill") for w in range(WRITERS)]
        every = [c for per_writer in commands for c in per_writer]
        stop = threading.Event()
        threads = in_threads(
            [lambda cs=cs: write_until(stop, server, headers, cs) for cs in commands]
        )
        while sum(c.acknowledged for c in every) < ACKS_BEFORE_BACKUP:
            time.sleep(0.01)
        acknowledged_before = [c.answer for c in every if c.answer is not None]
        made = samverkan(settings, "backup", "-o", str(tmp_path / "backup"))
        time.sleep(0.5)  # and some more after it
        still_running = sum(thread.is_alive() for thread in threads)
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        server.stop()
    assert made.returncode == 0, made.stderr[-2000:]
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    position = manifest["position"]
    answers = [c.answer for c in every if c.answer is not None]
    covered = [a for a in answers if a["position"] <= position]
    print(
        f"\ndrill [{backend}]: {len(answers)} of {len(every)} commands acknowledged, "
        f"{len(acknowledged_before)} before the backup began, {still_running} writers still "
        f"running when it ended; backup at position {position}, covering {len(covered)}"
    )
    assert still_running == WRITERS, "the writers finished before the backup: it proves nothing"
    assert len(covered) > len(acknowledged_before), "nothing was written during the backup"
    assert len(answers) > len(covered), "nothing was written after the backup's position"
    assert all(a["position"] <= position for a in acknowledged_before)

    target = restore_target(backend, tmp_path / "restored")
    restored = samverkan(target, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr[-2000:]
    by_position = {row.id: row for row in stored_events(target)}
    assert max(by_position) == position
    missing = [
        a
        for a in covered
        if a["position"] not in by_position
        or as_uuid(by_position[a["position"]].originator_id) != UUID(a["id"])
        or by_position[a["position"]].originator_version != a["version"]
    ]
    assert missing == []
    verify = samverkan(target, "audit", "verify")
    assert verify.returncode == 0 and json.loads(verify.stdout)["intact"], verify.stdout
    check = samverkan(target, "replay", "--check")
    assert check.returncode == 0 and " 0 differences" in check.stdout, check.stdout

    restored_headers = caseworker_headers(target)  # the token key came back with the backup
    with running(target) as copy, httpx.Client(base_url=copy.url, timeout=30) as client:
        assert client.get("/health/ready").status_code == 200
        opened = client.post(
            "/api/v1/issues", json=issue_body("Efter återläsningen"), headers=restored_headers
        )
        assert opened.status_code == 201, opened.text
        assert opened.json()["position"] > position
