"""kill -9 on the server under concurrent load, a restart, and clients retrying with their keys.

Every acknowledged command must be in the store; after the retries every command is stored
exactly once; and `samverkan replay --check` finds the views equal to a rebuild from the log.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from uuid import UUID

import pytest

from tests.conftest import settings_for
from tests.soak.load import (
    Sent,
    commands_for,
    in_threads,
    open_issues,
    remembered_keys,
    send_all,
    status_counts,
    stored_events,
)
from tests.soak.servers import SAMVERKAN, Server, caseworker_headers, server_env

pytestmark = pytest.mark.soak

WRITERS, COMMANDS_EACH = 6, 60
ACKS_BEFORE_KILL = 90


def as_uuid(value: object) -> UUID:
    return UUID(bytes=value) if isinstance(value, bytes) else UUID(str(value))


def retry_unanswered(server: Server, headers: dict[str, str], commands: list[Sent]) -> None:
    """Clients resend every unanswered command with its own key until it is acknowledged."""
    for _ in range(10):
        pending = [c for c in commands if not c.acknowledged]
        if not pending:
            return
        send_all(server.url, headers, pending)
        time.sleep(0.2)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_killed_server_loses_no_acknowledged_command_and_stores_none_twice(
    backend: str, tmp_path: Path
) -> None:
    settings = settings_for(backend, tmp_path / "var")
    headers = caseworker_headers(settings)
    server = Server(settings).start()
    try:
        issues = open_issues(server, headers, WRITERS)
        commands = [commands_for(w, issues[w], COMMANDS_EACH, "krasch") for w in range(WRITERS)]
        every = [c for per_writer in commands for c in per_writer]
        jobs = [lambda cs=cs: send_all(server.url, headers, cs, pause=0.05) for cs in commands]
        threads = in_threads(jobs)
        while sum(c.acknowledged for c in every) < ACKS_BEFORE_KILL:
            time.sleep(0.01)
        server.kill()
        acknowledged_before = {c.key: c.answer for c in every if c.acknowledged}
        for thread in threads:
            thread.join(timeout=120)
        server = Server(settings).start()
        retry_unanswered(server, headers, every)
    finally:
        server.stop()

    events = stored_events(settings)
    by_position = {row.id: row for row in events}
    lost = [
        key
        for key, answer in acknowledged_before.items()
        if answer is None
        or answer["position"] not in by_position
        or as_uuid(by_position[answer["position"]].originator_id) != UUID(answer["id"])
        or by_position[answer["position"]].originator_version != answer["version"]
    ]
    keys = remembered_keys(settings)
    duplicates = len(events) - (WRITERS + len(every))
    statuses = status_counts(every)
    print(
        f"\ncrash [{backend}]: {len(every)} commands, {len(acknowledged_before)} acknowledged "
        f"before kill -9, {sum(not c.acknowledged for c in every)} unanswered after retries, "
        f"lost {len(lost)}, duplicates {duplicates}, answers {dict(statuses)}"
    )
    assert all(c.acknowledged for c in every)
    assert lost == []
    assert duplicates == 0
    assert sorted(keys) == sorted(c.key for c in every)
    assert not [s for s in statuses if isinstance(s, int) and s >= 500 and s != 503]
    check = subprocess.run(
        [SAMVERKAN, "replay", "--check"],
        env=server_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert " 0 differences" in check.stdout
