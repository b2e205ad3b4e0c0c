"""Tamper evidence: every edit made directly in the database is caught at the right position."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from domain.values import Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings
from infrastructure.store.integrity import Verification
from infrastructure.store.keys import chain_key
from infrastructure.tokens import TokenIssuer
from infrastructure.views.audit import AuditQueries
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.integration.history import write_history

STORED = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]
EVENTS = 10  # write_history records ten events, at positions 1..10 on a fresh store


@pytest.fixture(params=STORED)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_for(str(request.param), tmp_path / "var")


@pytest.fixture
def store(settings: Settings) -> Iterator[Samverkan]:
    service = bootstrap(settings)
    write_history(service)
    yield service
    service.close()


def verify(samverkan: Samverkan) -> Verification:
    audit = AuditQueries(samverkan.events, samverkan.policy)
    return audit.verify(chain_key(samverkan.settings.var_dir))


def tamper(samverkan: Samverkan, edit: Callable[[Connection], object]) -> None:
    with samverkan.events.datastore.engine.begin() as connection:
        edit(connection)


def positions(samverkan: Samverkan) -> list[int]:
    with samverkan.events.datastore.engine.connect() as connection:
        return list(
            connection.execute(text("SELECT id FROM samverkan_events ORDER BY id")).scalars()
        )


def test_an_untouched_log_is_intact(store: Samverkan) -> None:
    result = verify(store)
    assert (result.intact, result.checked, result.first_broken_position) == (True, EVENTS, None)
    assert len(result.head) == 64


def test_a_flipped_byte_in_an_event_is_caught_at_its_position(store: Samverkan) -> None:
    target = positions(store)[3]

    def flip(connection: Connection) -> None:
        state = connection.execute(
            text("SELECT state FROM samverkan_events WHERE id = :id"), {"id": target}
        ).scalar_one()
        changed = bytearray(state)
        # inside the note text's ciphertext (base64): a letter's case flipped, the JSON valid
        at = bytes(changed).index(b'"c":"') + 5
        while not chr(changed[at]).isalpha():
            at += 1
        changed[at] ^= 0x20
        connection.execute(
            text("UPDATE samverkan_events SET state = :s WHERE id = :id"),
            {"s": bytes(changed), "id": target},
        )

    tamper(store, flip)
    result = verify(store)
    assert (result.intact, result.first_broken_position) == (False, target)


def test_a_deleted_event_in_the_middle_is_caught(store: Samverkan) -> None:
    target = positions(store)[4]
    tamper(store, lambda c: c.execute(text(f"DELETE FROM samverkan_events WHERE id = {target}")))
    assert verify(store).first_broken_position == target


def test_a_deleted_event_with_its_link_breaks_the_next_link(store: Samverkan) -> None:
    target = positions(store)[4]

    def delete_both(connection: Connection) -> None:
        connection.execute(text(f"DELETE FROM samverkan_events WHERE id = {target}"))
        connection.execute(text(f"DELETE FROM event_chain_link WHERE position = {target}"))

    tamper(store, delete_both)
    assert verify(store).first_broken_position == positions(store)[4]


def test_deleting_the_newest_event_is_caught(store: Samverkan) -> None:
    newest = positions(store)[-1]
    tamper(store, lambda c: c.execute(text(f"DELETE FROM samverkan_events WHERE id = {newest}")))
    result = verify(store)
    assert (result.intact, result.first_broken_position) == (False, newest)


def test_deleting_the_newest_event_and_its_link_is_caught_by_the_signed_head(
    store: Samverkan,
) -> None:
    newest = positions(store)[-1]

    def delete_both(connection: Connection) -> None:
        connection.execute(text(f"DELETE FROM samverkan_events WHERE id = {newest}"))
        connection.execute(text(f"DELETE FROM event_chain_link WHERE position = {newest}"))

    tamper(store, delete_both)
    result = verify(store)
    assert (result.intact, result.checked, result.first_broken_position) == (
        False,
        EVENTS - 1,
        newest,
    )


def test_an_inserted_event_is_caught(store: Samverkan) -> None:
    newest = positions(store)[-1]

    def insert_copy(connection: Connection) -> None:
        events = AuditQueries(store.events, store.policy).table
        row = connection.execute(events.select().where(events.c.id == newest)).one()
        connection.execute(
            events.insert().values(
                id=newest + 1,
                originator_id=uuid4(),
                originator_version=1,
                topic=row.topic,
                state=row.state,
            )
        )

    tamper(store, insert_copy)
    result = verify(store)
    assert (result.intact, result.checked, result.first_broken_position) == (
        False,
        EVENTS + 1,
        newest + 1,
    )


def test_two_swapped_events_are_caught_at_the_first(store: Samverkan) -> None:
    first, second = positions(store)[2], positions(store)[6]

    def swap(connection: Connection) -> None:
        rows = {
            r.id: r
            for r in connection.execute(
                text("SELECT id, topic, state FROM samverkan_events WHERE id IN (:a, :b)"),
                {"a": first, "b": second},
            )
        }
        for here, there in ((first, second), (second, first)):
            connection.execute(
                text("UPDATE samverkan_events SET topic = :t, state = :s WHERE id = :id"),
                {"t": rows[there].topic, "s": rows[there].state, "id": here},
            )

    tamper(store, swap)
    assert verify(store).first_broken_position == first


def test_a_forged_head_signature_is_caught(store: Samverkan) -> None:
    tamper(store, lambda c: c.execute(text("UPDATE event_chain_head SET signature = 'f00d'")))
    assert verify(store).intact is False


def test_a_tampered_store_still_starts_and_serves(store: Samverkan) -> None:
    newest = positions(store)[-1]
    tamper(store, lambda c: c.execute(text(f"DELETE FROM samverkan_events WHERE id = {newest}")))
    store.close()
    settings = store.settings
    auditor = TokenIssuer(settings).issue("ulla.revisor", Role.AUDITOR, "*")
    with TestClient(create_app(settings=settings)) as client:
        headers = {"Authorization": f"Bearer {auditor}"}
        assert client.get("/api/v1/issues", headers=headers).status_code == 200
        report = client.get("/api/v1/audit/verify", headers=headers)
        assert report.status_code == 200
        assert report.json() == {
            "intact": False,
            "checked": EVENTS - 1,
            "first_broken_position": newest,
            "head": report.json()["head"],
            "incidents": [],
        }
