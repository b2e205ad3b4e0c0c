"""A tamper suite that acts like an attacker with write access to the database, not the keys.

Hypothesis makes random sequences of edits straight in the database: flip a byte, delete,
insert, swap, truncate, rewrite-and-recompute the chain and head, and restore an older copy
of the log. Ordinary commands follow. Every sequence must end with verify not intact, or with
commands refused by the integrity alarm, or (a restored older copy is a valid chain of its
own) with a checkpoint taken before the edits no longer consistent. SQLite runs in `make
test`; PostgreSQL in `make soak`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from application import commands as c
from application.errors import IntegrityAlarmError
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.store.checkpoints import checkpoint_consistency, take_checkpoint
from infrastructure.store.integrity import ALARM, GENESIS, link_hash
from infrastructure.views.audit import AuditQueries
from tests.conftest import settings_for
from tests.integration.history import anna, write_history

LOG = ("samverkan_events", "event_chain_link", "event_chain_head")


@dataclass(frozen=True)
class Edit:
    kind: str
    a: int  # which event (an index into the log, wrapped)
    b: int

    def apply(self, connection: Connection) -> None:
        ids = list(
            connection.execute(text("SELECT id FROM samverkan_events ORDER BY id")).scalars()
        )
        if self.kind == "restore":
            restore_older_copy(connection)
            return
        if not ids:
            return
        first, second = ids[self.a % len(ids)], ids[self.b % len(ids)]
        getattr(self, f"_{self.kind}")(connection, ids, first, second)

    def _flip(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        state = bytearray(state_of(connection, first))
        at = len(state) // 2 + self.b % max(len(state) // 2, 1)
        state[at % len(state)] ^= 0x01
        set_state(connection, first, bytes(state))

    def _delete(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        connection.execute(text("DELETE FROM samverkan_events WHERE id = :id"), {"id": first})

    def _insert(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        def newest(originator: object) -> int:
            query = "SELECT max(originator_version) FROM samverkan_events WHERE originator_id = :o"
            return int(connection.execute(text(query), {"o": originator}).scalar_one())

        row = connection.execute(
            text(
                "SELECT originator_id, originator_version, topic, state FROM samverkan_events"
                " WHERE id = :id"
            ),
            {"id": first},
        ).one()
        connection.execute(
            text(
                "INSERT INTO samverkan_events (id, originator_id, originator_version, topic, state)"
                " VALUES (:id, :o, :v, :t, :s)"
            ),
            # Past every version of the record (an earlier insert may have made one already).
            {"id": max(ids) + 1, "o": row[0], "v": newest(row[0]) + 1000, "t": row[2], "s": row[3]},
        )

    def _swap(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        if first == second:
            second = ids[(ids.index(first) + 1) % len(ids)]
        one, other = state_of(connection, first), state_of(connection, second)
        if one == other:
            return
        set_state(connection, first, other)
        set_state(connection, second, one)

    def _truncate(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        cut = ids[-1 - self.a % min(len(ids), 3)]
        connection.execute(text("DELETE FROM samverkan_events WHERE id >= :id"), {"id": cut})
        connection.execute(text("DELETE FROM event_chain_link WHERE position >= :id"), {"id": cut})

    def _launder(self, connection: Connection, ids: list[int], first: int, second: int) -> None:
        """Edit an event, then recompute every link and the head's hash (not its signature)."""
        self._flip(connection, ids, first, second)
        rows = connection.execute(
            text(
                "SELECT id, originator_id, originator_version, topic, state"
                " FROM samverkan_events ORDER BY id"
            )
        ).all()
        connection.execute(text("DELETE FROM event_chain_link"))
        previous = GENESIS
        for row in rows:
            previous = link_hash(
                previous, row.id, as_uuid(row[1]), row.originator_version, row.topic, row.state
            )
            connection.execute(
                text("INSERT INTO event_chain_link (position, hash) VALUES (:p, :h)"),
                {"p": row.id, "h": previous},
            )
        connection.execute(
            text("UPDATE event_chain_head SET position = :p, hash = :h"),
            {"p": rows[-1].id if rows else 0, "h": previous},
        )


def as_uuid(value: Any) -> UUID:
    return UUID(bytes=bytes(value)) if isinstance(value, bytes | memoryview) else UUID(str(value))


def state_of(connection: Connection, position: int) -> bytes:
    return bytes(
        connection.execute(
            text("SELECT state FROM samverkan_events WHERE id = :id"), {"id": position}
        ).scalar_one()
    )


def set_state(connection: Connection, position: int, state: bytes) -> None:
    connection.execute(
        text("UPDATE samverkan_events SET state = :s WHERE id = :id"), {"s": state, "id": position}
    )


def log_content(connection: Connection) -> list[Any]:
    return [
        list(connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()) for table in LOG
    ]


def keep_older_copy(connection: Connection) -> None:
    for table in LOG:
        connection.execute(text(f"CREATE TABLE older_{table} AS SELECT * FROM {table}"))


def restore_older_copy(connection: Connection) -> None:
    """What restoring yesterday's backup of the database (keys untouched) does to the log."""
    for table in LOG:
        connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text(f"INSERT INTO {table} SELECT * FROM older_{table}"))
    connection.execute(text("DELETE FROM samverkan_snapshots"))


edits = st.lists(
    st.builds(
        Edit,
        st.sampled_from(["flip", "delete", "insert", "swap", "truncate", "launder", "restore"]),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    min_size=1,
    max_size=3,
)


def caught(backend: str, sequence: list[Edit]) -> set[str]:
    """Run one attack on a fresh store; return how it was caught, or fail."""
    with tempfile.TemporaryDirectory() as directory:
        samverkan = bootstrap(settings_for(backend, Path(directory) / "var"))
        try:
            return attack(samverkan, sequence)
        finally:
            samverkan.close()
            ALARM.clear()


def attack(samverkan: Samverkan, sequence: list[Edit]) -> set[str]:
    history = write_history(samverkan)
    engine = samverkan.events.datastore.engine
    with engine.begin() as connection:
        keep_older_copy(connection)
    note = c.AddNote(issue_id=history.falerum, kind="phone", text="Hej.", occurred_on="2026-11-02")
    samverkan.bus.dispatch(note, anna())
    checkpoint = take_checkpoint(samverkan.events, samverkan.settings.var_dir)
    with engine.begin() as connection:
        before = log_content(connection)
        for edit in sequence:
            edit.apply(connection)
        if log_content(connection) == before:
            return {"untouched"}  # the edits undid each other: nothing to catch
    samverkan.events.repository.cache.clear()  # type: ignore[union-attr]
    refused = 0
    for _ in range(2):
        try:
            samverkan.bus.dispatch(note, anna())
        except IntegrityAlarmError:
            refused += 1
        except Exception:
            continue
    verified = AuditQueries(samverkan.events, samverkan.policy).verify(samverkan.chain_key)
    consistent, _ = checkpoint_consistency(samverkan.events, checkpoint, samverkan.settings.var_dir)
    found = {"verify"} if not verified.intact else set()
    found |= {"alarm"} if refused else set()
    found |= {"checkpoint"} if not consistent else set()
    assert found, f"{sequence}: verify intact, commands accepted, checkpoint holds"
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(sequence=edits)
def test_every_attack_on_sqlite_is_caught(sequence: list[Edit]) -> None:
    caught("sqlite", sequence)


@pytest.mark.postgres
@pytest.mark.soak
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(sequence=edits)
def test_every_attack_on_postgresql_is_caught(sequence: list[Edit]) -> None:
    caught("postgres", sequence)


def test_the_laundering_sequence_alone_ends_in_the_alarm() -> None:
    assert caught("sqlite", [Edit("launder", 3, 7)]) >= {"alarm", "verify", "checkpoint"}


def test_a_restored_older_copy_fails_the_later_checkpoint() -> None:
    assert caught("sqlite", [Edit("restore", 0, 0)]) == {"checkpoint"}
