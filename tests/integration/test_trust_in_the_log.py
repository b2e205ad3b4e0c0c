"""Trust in the log: no write extends a chain it has not verified; checkpoints catch rollbacks.

Each test attacks the store as the review did: with write access to the database, but not to
the key files under the var dir.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Row, text

from application import commands as c
from application.errors import IntegrityAlarmError
from domain.values import Actor, Provenance, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings
from infrastructure.store.checkpoints import checkpoint_consistency, take_checkpoint
from infrastructure.store.gallring import GallringService
from infrastructure.store.incidents import NoIncidentError, record_incident
from infrastructure.store.integrity import ALARM, GENESIS, Verification, link_hash
from infrastructure.tokens import TokenIssuer
from infrastructure.views.audit import AuditQueries
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.integration.history import History, anna, write_history
from tests.integration.test_old_stores import deployed_copy

STORED = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORED)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_for(str(request.param), tmp_path / "var")


@pytest.fixture
def store(settings: Settings) -> Iterator[tuple[Samverkan, History]]:
    service = bootstrap(settings)
    history = write_history(service)
    yield service, history
    service.close()
    ALARM.clear()


def verify(samverkan: Samverkan) -> Verification:
    return AuditQueries(samverkan.events, samverkan.policy).verify(samverkan.chain_key)


def note(history: History, words: str = "Samtal med byalaget.") -> c.AddNote:
    return c.AddNote(issue_id=history.falerum, kind="phone", text=words, occurred_on="2026-11-02")


def _edited(state: bytes) -> bytes:
    """A byte of a sealed note text changed (a base64 letter's case): the JSON stays valid."""
    if "bygdegården".encode() in state:  # a store written before sealing
        return state.replace("bygdegården".encode(), b"kommunhuset")
    if b'"text":{"__sealed__"' not in state:
        return state
    at = state.index(b'"c":"', state.index(b'"text":{"__sealed__"')) + 5
    while not chr(state[at]).isalpha():
        at += 1
    return state[:at] + bytes([state[at] ^ 0x20]) + state[at + 1 :]


def launder(samverkan: Samverkan) -> None:
    """Edit an event's bytes, recompute every SHA-256 link and write the new final hash into
    the head, leaving its signature alone: what an attacker without the key can do."""
    with samverkan.events.datastore.engine.begin() as connection:
        rows = connection.execute(
            text(
                "SELECT id, originator_id, originator_version, topic, state"
                " FROM samverkan_events ORDER BY id"
            )
        ).all()
        previous = GENESIS
        for row in rows:
            state = _edited(bytes(row.state))
            if state != bytes(row.state):
                set_state(connection, row.id, state)
            previous = link_hash(
                previous,
                row.id,
                as_uuid(row.originator_id),
                row.originator_version,
                row.topic,
                state,
            )
            connection.execute(
                text("UPDATE event_chain_link SET hash = :h WHERE position = :p"),
                {"h": previous, "p": row.id},
            )
        connection.execute(text("UPDATE event_chain_head SET hash = :h"), {"h": previous})


def as_uuid(value: object) -> UUID:
    """SQLite keeps an id's 16 raw bytes; the chain hashes its text, as the recorder saw it."""
    return UUID(bytes=bytes(value)) if isinstance(value, bytes | memoryview) else UUID(str(value))


def set_state(connection: Connection, position: int, state: bytes) -> None:
    connection.execute(
        text("UPDATE samverkan_events SET state = :s WHERE id = :id"), {"s": state, "id": position}
    )


def test_laundering_raises_the_alarm_and_the_next_command_is_refused(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, history = store
    launder(samverkan)
    with pytest.raises(IntegrityAlarmError):
        samverkan.bus.dispatch(note(history), anna())
    assert ALARM.reason == "the head's signature does not match its content"
    result = verify(samverkan)
    assert not result.intact  # and it stays so: nothing extended the forged chain
    with pytest.raises(IntegrityAlarmError):
        samverkan.bus.dispatch(note(history), anna())
    assert verify(samverkan).checked == result.checked


def test_over_http_the_alarm_is_a_503_commands_refused_and_reads_going_on(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, history = store
    launder(samverkan)
    issuer = TokenIssuer(samverkan.settings)
    caseworker = {"Authorization": f"Bearer {issuer.issue('anna.lind', Role.CASEWORKER, '0561')}"}
    with TestClient(create_app(samverkan)) as client:
        refused = client.post(
            f"/api/v1/issues/{history.falerum}/notes",
            json={"kind": "phone", "text": "Hej.", "occurred_on": "2026-11-02"},
            headers=caseworker,
        )
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert "Integrity alarm" in refused.json()["title"]
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "integrity alarm"
        view = client.get(f"/api/v1/issues/{history.falerum}", headers=caseworker)
        assert view.status_code == 200  # reads keep working
        assert "samverkan_integrity_alarm 1.0" in client.get("/metrics").text


def test_an_incident_ends_the_alarm_and_verify_keeps_naming_the_break(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, history = store
    launder(samverkan)
    before = verify(samverkan)
    assert before.first_broken_position == before.checked  # only the signed head tells
    recorded = record_incident(
        samverkan.events, samverkan.chain_key, "Databasen ändrades utanför tjänsten.", "drift"
    )
    assert recorded["broken_position"] == before.first_broken_position
    samverkan.bus.dispatch(note(history), anna())  # the alarm is over
    after = verify(samverkan)
    assert not after.intact
    assert after.first_broken_position == before.first_broken_position
    assert [i["reason"] for i in after.incidents] == ["Databasen ändrades utanför tjänsten."]
    assert after.incidents[0]["old_head"]["signature_valid"] is False
    assert after.incidents[0]["recorded_by"] == "drift"


def test_an_incident_cannot_be_recorded_on_a_chain_that_verifies(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, _ = store
    with pytest.raises(NoIncidentError):
        record_incident(samverkan.events, samverkan.chain_key, "Ingen anledning.", "drift")


def test_a_deleted_chain_is_never_started_afresh(store: tuple[Samverkan, History]) -> None:
    samverkan, history = store
    with samverkan.events.datastore.engine.begin() as connection:
        connection.execute(text("DELETE FROM event_chain_link"))
        connection.execute(text("DELETE FROM event_chain_head"))
    with pytest.raises(IntegrityAlarmError):
        samverkan.bus.dispatch(note(history), anna())


def test_the_newest_event_deleted_with_its_link_raises_the_alarm(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, history = store
    with samverkan.events.datastore.engine.begin() as connection:
        newest = connection.execute(text("SELECT max(id) FROM samverkan_events")).scalar_one()
        connection.execute(text(f"DELETE FROM samverkan_events WHERE id = {newest}"))
        connection.execute(text(f"DELETE FROM event_chain_link WHERE position = {newest}"))
    with pytest.raises(IntegrityAlarmError):
        samverkan.bus.dispatch(note(history), anna())


def test_a_checkpoint_stays_consistent_while_the_log_grows(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, history = store
    var_dir = samverkan.settings.var_dir
    checkpoint = take_checkpoint(samverkan.events, var_dir)
    assert checkpoint["position"] == verify(samverkan).checked
    samverkan.bus.dispatch(note(history), anna())
    assert checkpoint_consistency(samverkan.events, checkpoint, var_dir)[0]


def test_a_checkpoint_with_a_forged_field_is_not_consistent(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, _ = store
    var_dir = samverkan.settings.var_dir
    checkpoint = take_checkpoint(samverkan.events, var_dir)
    forged = {**checkpoint, "position": checkpoint["position"] - 1}
    consistent, detail = checkpoint_consistency(samverkan.events, forged, var_dir)
    assert not consistent and "signature" in detail


def test_a_laundered_log_is_not_consistent_with_an_earlier_checkpoint(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, _ = store
    var_dir = samverkan.settings.var_dir
    checkpoint = take_checkpoint(samverkan.events, var_dir)
    launder(samverkan)
    consistent, detail = checkpoint_consistency(samverkan.events, checkpoint, var_dir)
    assert not consistent, detail


def test_a_truncated_log_is_not_consistent_with_a_later_checkpoint(
    store: tuple[Samverkan, History],
) -> None:
    samverkan, _ = store
    var_dir = samverkan.settings.var_dir
    checkpoint = take_checkpoint(samverkan.events, var_dir)
    with samverkan.events.datastore.engine.begin() as connection:
        newest = connection.execute(text("SELECT max(id) FROM samverkan_events")).scalar_one()
        connection.execute(text(f"DELETE FROM samverkan_events WHERE id = {newest}"))
    consistent, detail = checkpoint_consistency(samverkan.events, checkpoint, var_dir)
    assert not consistent and "ends at position" in detail


def test_a_restored_older_copy_verifies_but_fails_a_later_checkpoint(tmp_path: Path) -> None:
    """The rollback the signed head alone cannot catch: an older database and its head."""
    settings = settings_for("sqlite", tmp_path / "var")
    samverkan = bootstrap(settings)
    history = write_history(samverkan)
    database = settings.var_dir / "samverkan.db"
    with samverkan.events.datastore.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(database, tmp_path / "older.db")
    samverkan.bus.dispatch(note(history, "Beslut om stöd."), anna())
    later = take_checkpoint(samverkan.events, settings.var_dir)
    samverkan.close()
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copy(tmp_path / "older.db", database)
    restored = bootstrap(settings)
    try:
        assert verify(restored).intact  # the older copy is a valid chain of its own
        assert not checkpoint_consistency(restored.events, later, settings.var_dir)[0]
    finally:
        restored.close()


# Record-level gallring of plaintext events: a redaction verify accepts only on a gallring's
# word. The attacker can write the database (and recompute unkeyed links), not read the keys.

GRETA = "Greta Nilsson"
VILHELMINA = "2462"


@pytest.fixture
def old_store(tmp_path: Path) -> Iterator[Samverkan]:
    """The release-1 store (plaintext events), copied."""
    service = bootstrap(Settings(var_dir=deployed_copy("release-1", tmp_path / "var")))
    yield service
    service.close()
    ALARM.clear()


def _positions_naming(connection: Connection, words: str, topic: str) -> list[int]:
    rows = connection.execute(
        text("SELECT id, state FROM samverkan_events WHERE topic = :t ORDER BY id"), {"t": topic}
    ).all()
    return [r.id for r in rows if words.encode() in bytes(r.state)]


def _row(connection: Connection, position: int) -> Row[Any]:
    return connection.execute(
        text(
            "SELECT id, originator_id, originator_version, topic, state"
            " FROM samverkan_events WHERE id = :id"
        ),
        {"id": position},
    ).one()


def _link(connection: Connection, position: int) -> bytes:
    return bytes(
        connection.execute(
            text("SELECT hash FROM event_chain_link WHERE position = :p"), {"p": position}
        ).scalar_one()
    )


def _redact(connection: Connection, position: int, field: str) -> dict[str, str]:
    """What gallring does to one event, done by hand: returns the vouch it would need."""
    row = _row(connection, position)
    state = json.loads(bytes(row.state))
    state[field] = "[gallrad]"
    redacted = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    set_state(connection, position, redacted)
    previous = _link(connection, position - 1)
    then = link_hash(
        previous, position, as_uuid(row.originator_id), row.originator_version, row.topic, redacted
    )
    return {"link": _link(connection, position).hex(), "redacted": then.hex()}


def _gallring_of_the_issue(samverkan: Samverkan) -> tuple[int, list[int]]:
    """Genuine record-level gallring of the issue naming Greta; its position, the redacted."""
    with samverkan.events.datastore.engine.connect() as connection:
        notes = _positions_naming(connection, GRETA, "domain.issue:Issue.NoteAdded")
        issue = str(as_uuid(_row(connection, notes[0]).originator_id))
    by = Provenance(Actor("sara.ek", Role.ADMIN, VILHELMINA), str(uuid4()), str(uuid4()))
    done = GallringService(samverkan.events).carry_out(
        by, "KN 2026/12 §4", "Gallring enligt plan.", [], [issue]
    )
    return done.position, notes


def _member_naming_greta(connection: Connection) -> int:
    (member,) = _positions_naming(connection, GRETA, "domain.task_force:TaskForce.MemberAdded")
    return member


def test_a_vouched_redaction_verifies_and_an_earlier_checkpoint_still_holds(
    old_store: Samverkan,
) -> None:
    var_dir = old_store.settings.var_dir
    checkpoint = take_checkpoint(old_store.events, var_dir)
    _, redacted = _gallring_of_the_issue(old_store)
    assert len(redacted) == 55
    assert verify(old_store).intact
    assert checkpoint_consistency(old_store.events, checkpoint, var_dir)[0]


def test_a_redaction_without_a_vouch_is_found(old_store: Samverkan) -> None:
    with old_store.events.datastore.engine.begin() as connection:
        member = _member_naming_greta(connection)
        _redact(connection, member, "display_name")
    result = verify(old_store)
    assert not result.intact and result.first_broken_position == member


def test_a_redaction_beside_a_vouched_one_is_found(old_store: Samverkan) -> None:
    """The gallring vouched for the issue's notes, not for the task force's member."""
    _gallring_of_the_issue(old_store)
    with old_store.events.datastore.engine.begin() as connection:
        member = _member_naming_greta(connection)
        _redact(connection, member, "display_name")
    result = verify(old_store)
    assert not result.intact and result.first_broken_position == member


def test_a_vouched_event_changed_again_is_found(old_store: Samverkan) -> None:
    """The vouch names the redacted bytes too: the event cannot be changed once more."""
    _, redacted = _gallring_of_the_issue(old_store)
    with old_store.events.datastore.engine.begin() as connection:
        state = bytes(_row(connection, redacted[3]).state)
        changed = state.replace(b'"public":true', b'"public":false')
        set_state(connection, redacted[3], changed)
        assert bytes(_row(connection, redacted[3]).state) != state
    result = verify(old_store)
    assert not result.intact and result.first_broken_position == redacted[3]


def test_a_vouch_forged_into_the_gallring_event_is_found(old_store: Samverkan) -> None:
    var_dir = old_store.settings.var_dir
    position, _ = _gallring_of_the_issue(old_store)
    checkpoint = take_checkpoint(old_store.events, var_dir)
    with old_store.events.datastore.engine.begin() as connection:
        member = _member_naming_greta(connection)
        vouch = _redact(connection, member, "display_name")
        state = json.loads(bytes(_row(connection, position).state))
        first_vouched = min(int(p) for p in state["vouches"])
        state["vouches"][str(member)] = vouch
        set_state(connection, position, json.dumps(state, separators=(",", ":")).encode())
    result = verify(old_store)
    # A forged gallring event vouches for nothing: its genuine redactions fall with it.
    assert not result.intact and result.first_broken_position == first_vouched < member
    consistent, detail = checkpoint_consistency(old_store.events, checkpoint, var_dir)
    assert not consistent, detail


def test_a_forged_gallring_event_appended_is_found(old_store: Samverkan) -> None:
    """A new GallringCarriedOut with a correct vouch and link: only the head's HMAC is wrong."""
    position, _ = _gallring_of_the_issue(old_store)
    with old_store.events.datastore.engine.begin() as connection:
        member = _member_naming_greta(connection)
        vouch = _redact(connection, member, "display_name")
        genuine = _row(connection, position)
        state = json.loads(bytes(genuine.state))
        state["vouches"] = {str(member): vouch}
        forged = json.dumps(state, separators=(",", ":")).encode()
        last = connection.execute(text("SELECT max(id) FROM samverkan_events")).scalar_one()
        forged_id = uuid4()
        connection.execute(
            text(
                "INSERT INTO samverkan_events (id, originator_id, originator_version, topic, state)"
                " VALUES (:id, :o, 1, :t, :s)"
            ),
            {"id": last + 1, "o": forged_id.bytes, "t": genuine.topic, "s": forged},
        )
        link = link_hash(_link(connection, last), last + 1, forged_id, 1, genuine.topic, forged)
        connection.execute(
            text("INSERT INTO event_chain_link (position, hash) VALUES (:p, :h)"),
            {"p": last + 1, "h": link},
        )
        connection.execute(
            text("UPDATE event_chain_head SET position = :p, hash = :h"), {"p": last + 1, "h": link}
        )
    result = verify(old_store)
    # Its bytes chain, so its vouch is taken; but the head's HMAC is not the attacker's to make.
    assert not result.intact and result.first_broken_position == last + 1 > member
