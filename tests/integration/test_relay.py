"""The relay against the real NATS server: every event arrives, in order, exactly once.

Each test has a stream of its own (`tests/nats_support.py`), deleted afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.integration.relay import Relay, RelayThread, relay_for
from infrastructure.integration.relay_state import read_position
from infrastructure.settings import Settings
from infrastructure.views.audit import AuditQueries
from infrastructure.views.read_models import VIEWS
from interfaces.cli.relay import _follow
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.integration.history import ÅTVIDABERG, open_issue, write_history
from tests.nats_support import PrivateNats, Stream, stream, wait_until

__all__ = ["stream"]  # the fixture
NATIONAL_AUDITOR = Actor("ulla.revisor", Role.AUDITOR, "*")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, stream: Stream) -> Iterator[Samverkan]:
    service = bootstrap(settings_for(str(request.param), tmp_path / "var", **stream.settings()))
    yield service
    service.close()


@contextmanager
def relaying(samverkan: Samverkan, settings: Settings | None = None) -> Iterator[Relay]:
    thread = RelayThread(relay_for(samverkan.events, settings or samverkan.settings)).start()
    try:
        yield thread.relay
    finally:
        thread.stop()


def log_positions(samverkan: Samverkan) -> list[int]:
    log = VIEWS["log"]
    with samverkan.events.reading() as session:
        return list(session.execute(select(log.c.position).order_by(log.c.position)).scalars())


def caught_up(samverkan: Samverkan) -> bool:
    with samverkan.events.reading() as session:
        published = read_position(session.connection(), samverkan.settings.nats_stream)
    return published == (samverkan.events.recorder.max_notification_id() or 0)


def test_every_event_arrives_once_in_order_as_a_cloud_event(
    store: Samverkan, stream: Stream
) -> None:
    history = write_history(store)
    with relaying(store) as relay:
        wait_until(lambda: caught_up(store), what="the relay to catch up")
        write_history(store)  # more commands while it runs
        wait_until(lambda: caught_up(store), what="the relay to catch up again")
    messages = stream.messages()
    assert [int(m.event["id"]) for m in messages] == log_positions(store)
    items = AuditQueries(store.events, store.policy).log(NATIONAL_AUDITOR, 0, 500, None).items
    for message, item in zip(messages, items, strict=True):
        assert message.event["data"] == item["data"]  # exactly what the history routes show
        assert message.headers["Nats-Msg-Id"] == f"{relay.store_id}:{item['position']}"
    opened = messages[0]
    assert opened.subject == f"{stream.prefix}.{ÅTVIDABERG}.issue.Opened"
    assert opened.event["specversion"] == "1.0"
    assert opened.event["source"] == f"/samverkan/{ÅTVIDABERG}"
    assert opened.event["type"] == "se.samverkan.issue.Opened"
    assert opened.event["subject"] == str(history.falerum)
    assert opened.event["data"]["locality"] == "Falerum"
    assert opened.event["actoruser"] == "anna.lind"


def test_a_lost_stream_is_recreated_and_republished_from_its_start(
    store: Samverkan, stream: Stream
) -> None:
    write_history(store)
    with relaying(store):
        wait_until(lambda: caught_up(store), what="the relay to catch up")
        stream.delete()
        write_history(store)
        wait_until(
            lambda: stream.positions() == log_positions(store), what="the stream to be rebuilt"
        )


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_follow_prints_a_municipalitys_events_and_resumes_after_the_last(
    store: Samverkan, stream: Stream, capsys: pytest.CaptureFixture[str]
) -> None:
    def follow() -> list[str]:
        subjects = f"{stream.prefix}.{ÅTVIDABERG}.>"
        asyncio.run(_follow(stream.url, stream.name, subjects, "diariet", 1.0))
        lines = capsys.readouterr().out.splitlines()
        return [line for line in lines if line.startswith('{"specversion"')]  # not the logs

    write_history(store)
    with relaying(store):
        wait_until(lambda: caught_up(store), what="the relay to catch up")
        first = follow()
        later = open_issue(store, ÅTVIDABERG, "Gårdby", "Bussen till Gårdby dras in")
        wait_until(lambda: caught_up(store), what="the relay to catch up again")
        second = follow()
    mine = [m.event["id"] for m in stream.messages() if m.event["source"].endswith(ÅTVIDABERG)]
    assert [line.split('"id":"')[1].split('"')[0] for line in first + second] == mine
    assert len(second) == 1 and str(later) in second[0]


@pytest.mark.postgres
def test_two_relays_on_one_store_never_both_publish(tmp_path: Path, stream: Stream) -> None:
    store = bootstrap(settings_for("postgres", tmp_path / "var", **stream.settings()))
    try:
        write_history(store)
        one = RelayThread(relay_for(store.events, store.settings)).start()
        other = RelayThread(relay_for(store.events, store.settings)).start()
        wait_until(lambda: caught_up(store), what="one relay to catch up")
        publishing = [t for t in (one, other) if t.relay.published]
        assert len(publishing) == 1
        leader = publishing[0]
        standby = other if leader is one else one
        leader.stop()  # its lock goes with its connection: the other takes over
        write_history(store)
        wait_until(lambda: caught_up(store), what="the standby to take over")
        standby.stop()
        assert standby.relay.published > 0
        assert stream.positions() == log_positions(store)
    finally:
        store.close()


def test_a_relay_without_nats_blocks_no_command_and_catches_up_when_it_is_back(
    tmp_path: Path,
) -> None:
    nats_server = PrivateNats()  # not started yet: nothing listens on its port
    stream = Stream.unique(nats_server.url)
    store = bootstrap(settings_for("sqlite", tmp_path / "var", **stream.settings()))
    try:
        with relaying(store) as relay:
            write_history(store)  # every command succeeds while NATS is down
            wait_until(lambda: relay.status.startswith("unavailable"), what="the relay to fail")
            client = TestClient(create_app(store))  # no lifespan: no second relay
            ready = client.get("/health/ready")
            assert ready.status_code == 200
            assert ready.json()["relay"]["lag_events"] == len(log_positions(store))
            assert ready.json()["relay"]["status"].startswith("unavailable")
            assert "samverkan_relay_lag_events 10.0" in client.get("/metrics").text
            nats_server.start()
            wait_until(lambda: caught_up(store), what="the relay to catch up with NATS back")
        assert stream.positions() == log_positions(store)
    finally:
        store.close()
        nats_server.close()
