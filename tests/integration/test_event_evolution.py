"""Events evolve without stranding the ones already stored (docs/event-evolution.md).

`Issue.Reopened` is at version 2: it also records the status it was reopened from. The
release-1 store holds version-1 `Reopened` events; they must load, verify, replay and export
exactly as before, with no manual step and without a byte of them rewritten.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eventsourcing.domain import DomainEvent
from fastapi.testclient import TestClient
from sqlalchemy import text

from application import commands as c
from application.ports import CommandContext
from domain.base import CaseAggregate
from domain.issue import Issue
from domain.values import Actor, Role
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from infrastructure.views.audit import AuditQueries
from infrastructure.views.replay_runs import check_views
from interfaces.http.app import create_app
from tests.integration.test_old_stores import STORES, deployed_copy

RELEASE_1 = "release-1"
REOPENED = "domain.issue:Issue.Reopened"


def every_event_class() -> list[type[DomainEvent]]:
    found, todo = [], [CaseAggregate.Event]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if "." in c.__qualname__ and c.__module__.startswith("domain.")]


def test_every_event_class_declares_its_version_and_how_to_read_older_ones() -> None:
    for cls in every_event_class():
        version = cls.__dict__.get("class_version", getattr(cls, "class_version", None))
        assert isinstance(version, int) and version >= 1, cls
        for n in range(1, version):
            assert callable(getattr(cls, f"upcast_v{n}_v{n + 1}", None)), (cls, n)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=deployed_copy(RELEASE_1, tmp_path / "var"), rate_limit="off")


def stored_reopened(settings: Settings) -> list[bytes]:
    samverkan = bootstrap(settings, create=False)
    try:
        with samverkan.events.datastore.engine.connect() as connection:
            query = text("SELECT state FROM samverkan_events WHERE topic = :t ORDER BY id")
            return [bytes(s) for s in connection.execute(query, {"t": REOPENED}).scalars()]
    finally:
        samverkan.close()


def test_version_1_events_load_as_version_2_with_nothing_rewritten(settings: Settings) -> None:
    before = stored_reopened(settings)
    assert before and all(b'"class_version"' not in state for state in before)  # version 1
    samverkan = bootstrap(settings, create=False)
    try:
        recorder = samverkan.events.recorder
        events = [
            e for e in recorder.select_notifications(start=1, limit=10_000) if e.topic == REOPENED
        ]
        decoded = [samverkan.events.mapper.to_domain_event(e) for e in events]
        assert all(isinstance(e, Issue.Reopened) and e.reopened_from is None for e in decoded)
        verified = AuditQueries(samverkan.events, samverkan.policy).verify(samverkan.chain_key)
        assert verified.intact
        assert check_views(samverkan.events)[1] == []
    finally:
        samverkan.close()
    assert stored_reopened(settings) == before


def test_the_old_store_exports_exactly_as_before(settings: Settings) -> None:
    expected = json.loads((STORES / RELEASE_1 / "timeline.json").read_text())
    with TestClient(create_app(settings=settings)) as client:
        token = TokenIssuer(settings).issue("revisor", Role.AUDITOR, "*")
        answer = client.get(
            "/api/v1/exports/timeline?format=json", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200
    assert answer.json() == expected


def test_a_new_reopening_is_stored_at_version_2(settings: Settings) -> None:
    samverkan = bootstrap(settings)
    try:
        with samverkan.events.datastore.engine.connect() as connection:
            issue_id = connection.execute(
                text("SELECT id FROM issue_view WHERE status = 'resolved' LIMIT 1")
            ).scalar_one()
        context = CommandContext(actor=Actor("olle.berg", Role.CASEWORKER, "2462"))
        samverkan.bus.dispatch(
            c.ReopenIssue(issue_id=issue_id, reason="Pumpen gick sönder."), context
        )
        newest = stored_reopened(settings)[-1]
        assert b'"class_version":2' in newest.replace(b" ", b"")
        assert b'"reopened_from":"resolved"' in newest.replace(b" ", b"")
    finally:
        samverkan.close()
