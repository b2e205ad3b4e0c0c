"""The relay under faults, while commands keep flowing: 0 lost and 0 duplicated, in order.

- `kill -9` of a `samverkan relay` process, several times, each time restarted;
- a NATS server (our own, never the machine's) killed and restarted, then its stream deleted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from application import commands as c
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.integration.relay import RelayThread, relay_for
from infrastructure.integration.relay_state import ensure_relay_tables, read_position
from infrastructure.settings import Settings
from infrastructure.views.read_models import VIEWS
from tests.conftest import settings_for
from tests.integration.history import ÅTVIDABERG, anna, open_issue
from tests.nats_support import PrivateNats, Stream, require_nats, wait_until
from tests.soak.servers import SAMVERKAN, Server, caseworker_headers, issue_body, server_env

pytestmark = pytest.mark.soak
KILLS = 3


@contextmanager
def commands_flowing(samverkan: Samverkan) -> Iterator[list[int]]:
    """A writer dispatching commands through the bus until the block ends; yields its count."""
    written = [0]
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            issue = open_issue(samverkan, ÅTVIDABERG, "Falerum", "Butiken i Falerum kan stänga")
            note = c.AddNote(issue_id=issue, kind="meeting", text="Möte.", occurred_on="2026-03-04")
            samverkan.bus.dispatch(note, anna())
            written[0] += 2

    writer = threading.Thread(target=write)
    writer.start()
    try:
        yield written
    finally:
        stop.set()
        writer.join()


def log_positions(samverkan: Samverkan) -> list[int]:
    log = VIEWS["log"]
    with samverkan.events.reading() as session:
        return list(session.execute(select(log.c.position).order_by(log.c.position)).scalars())


def published(samverkan: Samverkan) -> int:
    with samverkan.events.reading() as session:
        return read_position(session.connection(), samverkan.settings.nats_stream)


def caught_up(samverkan: Samverkan) -> bool:
    return published(samverkan) == (samverkan.events.recorder.max_notification_id() or 0)


def relay_process(settings: Settings, stream: Stream, log: Path) -> subprocess.Popen[bytes]:
    env = server_env(settings)
    env.update(SAMVERKAN_NATS_STREAM=stream.name, SAMVERKAN_NATS_SUBJECT_PREFIX=stream.prefix)
    with log.open("ab") as output:
        return subprocess.Popen(
            [SAMVERKAN, "relay", "--nats", stream.url],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_kill_9_of_the_relay_loses_and_duplicates_nothing(backend: str, tmp_path: Path) -> None:
    require_nats()
    stream = Stream.unique()
    settings = settings_for(backend, tmp_path / "var", **stream.settings())
    samverkan = bootstrap(settings)
    ensure_relay_tables(samverkan.events.datastore.engine)  # before the relay process does
    try:
        with commands_flowing(samverkan):
            for _ in range(KILLS):
                before = published(samverkan)
                process = relay_process(settings, stream, tmp_path / "relay.log")
                target = before + 20
                wait_until(lambda t=target: published(samverkan) > t, 120, "the relay to publish")
                os.killpg(process.pid, signal.SIGKILL)  # no shutdown code runs
                process.wait(timeout=10)
        process = relay_process(settings, stream, tmp_path / "relay.log")
        try:
            wait_until(lambda: caught_up(samverkan), 120, "the restarted relay to catch up")
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        assert stream.positions() == log_positions(samverkan)
    finally:
        samverkan.close()
        stream.delete()


def test_nats_restarted_and_its_stream_deleted_lose_and_duplicate_nothing(
    tmp_path: Path,
) -> None:
    nats_server = PrivateNats().start()
    stream = Stream.unique(nats_server.url)
    samverkan = bootstrap(settings_for("sqlite", tmp_path / "var", **stream.settings()))
    relay = RelayThread(relay_for(samverkan.events, samverkan.settings)).start()
    try:
        with commands_flowing(samverkan) as written:
            wait_until(lambda: published(samverkan) > 20, 60, "the relay to publish")
            nats_server.kill()
            at_outage = written[0]
            wait_until(lambda: written[0] > at_outage + 20, 60, "commands while NATS is down")
            nats_server.start()
            before = published(samverkan)
            wait_until(lambda: published(samverkan) > before, 60, "the relay to resume")
            stream.delete()
            at_loss = written[0]
            wait_until(lambda: written[0] > at_loss + 20, 60, "commands after the stream's loss")
        wait_until(lambda: caught_up(samverkan), 120, "the relay to catch up")
        wait_until(
            lambda: stream.positions() == log_positions(samverkan), 60, "the stream to be whole"
        )
    finally:
        relay.stop()
        samverkan.close()
        nats_server.close()


@pytest.mark.postgres
def test_serve_with_two_workers_runs_one_relay_that_publishes_every_event_once(
    tmp_path: Path,
) -> None:
    require_nats()
    stream = Stream.unique()
    settings = settings_for("postgres", tmp_path / "var", **stream.settings())
    samverkan = bootstrap(settings)
    ensure_relay_tables(samverkan.events.datastore.engine)
    try:
        server = Server(settings, workers=2).start(ready_within=240)  # a busy machine is slow
        try:
            headers = caseworker_headers(settings)
            for n in range(40):
                body = issue_body(f"Butiken i Falerum kan stänga ({n})")
                answer = httpx.post(
                    f"{server.url}/api/v1/issues", json=body, headers=headers, timeout=60
                )
                assert answer.status_code == 201
            wait_until(lambda: caught_up(samverkan), 120, "the relay inside serve to catch up")
            ready = httpx.get(f"{server.url}/health/ready", timeout=60).json()
            assert ready["relay"]["lag_events"] == 0
        finally:
            server.stop()
        assert stream.positions() == log_positions(samverkan)
        publishing = [
            line for line in server.log.read_text().splitlines() if '"publishing"' in line
        ]
        assert len(publishing) == 1  # one worker took the lock; the other never published
    finally:
        samverkan.close()
        stream.delete()
