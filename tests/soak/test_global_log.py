"""4 writers for 60 s on PostgreSQL while a reader follows GET /api/v1/audit/events.

The reader must see every event exactly once, in strictly increasing positions, skipping none:
at the end its list equals the whole log.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from domain.values import Role
from infrastructure.tokens import TokenIssuer
from tests.conftest import settings_for
from tests.soak.load import Sent, commands_for, open_issues, stored_events
from tests.soak.servers import ÅTVIDABERG, Server, caseworker_headers, running

pytestmark = [pytest.mark.soak, pytest.mark.postgres]

WRITERS = 4
SECONDS = float(os.environ.get("SAMVERKAN_SOAK_LOG_SECONDS", "60"))


def write_until(
    server: Server,
    headers: dict[str, str],
    issue: str,
    writer: int,
    stop: threading.Event,
    sent: list[Sent],
) -> None:
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        batch = 0
        while not stop.is_set():
            for command in commands_for(writer, issue, 10, f"logg-{batch}"):
                command.send(client)
                sent.append(command)
            batch += 1


def follow(
    server: Server,
    headers: dict[str, str],
    done: threading.Event,
    seen: list[int],
    disorder: list[tuple[int, int]],
) -> None:
    """Poll the log after the last position seen; once `done`, read on to the end."""
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        while True:
            stopping = done.is_set()
            after = seen[-1] if seen else 0
            page = client.get("/api/v1/audit/events", params={"after": after, "limit": 100})
            assert page.status_code == 200, page.text
            positions = [item["position"] for item in page.json()["items"]]
            for position in positions:
                if position <= (seen[-1] if seen else 0):
                    disorder.append((seen[-1], position))
                seen.append(position)
            if stopping and not positions:
                return
            if not positions:
                time.sleep(0.02)


def test_a_follower_of_the_log_sees_every_event_once_in_order(tmp_path: Path) -> None:
    settings = settings_for("postgres", tmp_path / "var")
    writer_headers = caseworker_headers(settings)
    auditor = TokenIssuer(settings).issue("eva.holm", Role.AUDITOR, ÅTVIDABERG)
    reader_headers = {"Authorization": f"Bearer {auditor}"}
    sent: list[Sent] = []
    seen: list[int] = []
    disorder: list[tuple[int, int]] = []
    stop, writers_done = threading.Event(), threading.Event()
    with running(settings) as server:
        issues = open_issues(server, writer_headers, WRITERS)
        writers = [
            threading.Thread(
                target=write_until, args=(server, writer_headers, issues[w], w, stop, sent)
            )
            for w in range(WRITERS)
        ]
        reader = threading.Thread(
            target=follow, args=(server, reader_headers, writers_done, seen, disorder)
        )
        for thread in [*writers, reader]:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
        writers_done.set()  # only now may the reader stop at the end of the log
        reader.join(timeout=120)

    log = [row.id for row in stored_events(settings)]
    acknowledged = sum(c.acknowledged for c in sent)
    print(
        f"\nglobal log: {WRITERS} writers for {SECONDS:.0f} s wrote {len(log)} events "
        f"({acknowledged} acknowledged commands); the reader saw {len(seen)}, "
        f"{len(seen) - len(set(seen))} twice, {len(disorder)} out of order, "
        f"{len(set(log) - set(seen))} skipped"
    )
    assert disorder == []
    assert seen == log
    assert acknowledged == len(sent)
    assert len(log) == WRITERS + acknowledged
