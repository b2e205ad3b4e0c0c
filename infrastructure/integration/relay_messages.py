"""The relay's messages: the global log read as the audit routes read it, as CloudEvents 1.0.

Reading through `AuditQueries` keeps `data` exactly what the history routes show, whatever
decoding (erasure included) those routes apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson
from eventsourcing.persistence import StoredEvent
from sqlalchemy import Select, bindparam, select

from application.confidentiality import conceal_event
from domain.values import Actor, Role
from infrastructure.views.audit import AuditQueries, with_notes_lagrum
from infrastructure.views.read_models import VIEWS

# The relay reads every municipality's log, as a national auditor would.
RELAY_READER = Actor("samverkan.relay", Role.AUDITOR, "*")
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event, ready to publish: its position, subject, CloudEvent bytes and headers."""

    position: int
    subject: str
    payload: bytes
    headers: dict[str, str]


class RelayLog(AuditQueries):
    """The global log after a position, as the auditor's `/audit/events` items, plus scope."""

    def after(self, position: int, limit: int) -> list[dict[str, Any]]:
        """`log(RELAY_READER, position, limit)` in one joined query; each item from `_item`."""
        with self.events.reading() as session:
            rows = session.connection().execute(self._query, {"after": position, "limit": limit})
            items = [
                self._item(
                    row,
                    StoredEvent(
                        row.originator_id, row.originator_version, row.topic, bytes(row.state)
                    ),
                    with_record=True,
                )
                for row in rows.mappings()
            ]
            with_notes_lagrum(session, items)
        # Sekretess never leaves in a message: the relay reads as a national auditor, who gets
        # every event (concealed where secret), so no position is ever skipped.
        shown = [conceal_event(item, RELAY_READER) for item in items]
        assert all(item is not None for item in shown)
        return [item for item in shown if item is not None]

    @cached_property
    def _query(self) -> Select[Any]:
        log, events = VIEWS["log"], self.table
        return (  # only what `_item` reads: each column more is converted for every event
            select(log.c.position, log.c.record_id, log.c.record_type, log.c.type)
            .add_columns(log.c.municipality, events.c.originator_id, events.c.originator_version)
            .add_columns(events.c.topic, events.c.state)
            .join_from(log, events, events.c.id == log.c.position)
            .where(log.c.position > bindparam("after"))
            .order_by(log.c.position)
            .limit(bindparam("limit"))
        )

    def _item(self, row: Mapping[str, Any], stored: Any, with_record: bool) -> dict[str, Any]:
        item = super()._item(row, stored, with_record)
        item["municipality"] = row["municipality"]
        return item


def subject_of(prefix: str, item: Mapping[str, Any]) -> str:
    """`<prefix>.<municipality>.<aggregate_type>.<event_type>`: `samverkan.0561.issue.Opened`."""
    return f"{prefix}.{scope_of(item)}.{item['aggregate_type']}.{event_name(item)}"


def scope_of(item: Mapping[str, Any]) -> str:
    """The municipality code; `national` for the store's own records (scope `*`), because a
    `*` in a subject is a NATS wildcard, which no message may be published to."""
    municipality = str(item["municipality"])
    return NATIONAL if municipality == "*" else municipality


def event_name(item: Mapping[str, Any]) -> str:
    """`NoteAdded` of `Issue.NoteAdded`: the subject's last token may not contain a dot."""
    return str(item["type"]).rsplit(".", 1)[-1]


def cloud_event(item: Mapping[str, Any]) -> dict[str, Any]:
    """A CloudEvents 1.0 structured-mode event; provenance in extension attributes."""
    occurred: datetime | str = item["occurred_at"]
    actor = item["actor"]
    return {
        "specversion": "1.0",
        "id": str(item["position"]),
        "source": f"/samverkan/{scope_of(item)}",
        "type": f"se.samverkan.{item['aggregate_type']}.{event_name(item)}",
        "subject": str(item["aggregate_id"]),
        "time": occurred.isoformat() if isinstance(occurred, datetime) else occurred,
        "datacontenttype": "application/json",
        "recordversion": item["version"],
        "actoruser": actor["user_id"],
        "actorrole": actor["role"],
        "commandid": item["command_id"],
        "correlationid": item["correlation_id"],
        "data": item["data"],
    }


def outgoing(items: Sequence[Mapping[str, Any]], store_id: str, prefix: str) -> list[Outgoing]:
    return [
        Outgoing(
            item["position"],
            subject_of(prefix, item),
            orjson.dumps(cloud_event(item)),
            {"Nats-Msg-Id": f"{store_id}:{item['position']}", "Content-Type": CONTENT_TYPE},
        )
        for item in items
    ]


def position_of(msg_id: str | None, store_id: str) -> int | None:
    """The position in a `Nats-Msg-Id` this store wrote; None for anything else."""
    if not msg_id:
        return None
    owner, _, position = msg_id.rpartition(":")
    return int(position) if owner == store_id and position.isdigit() else None
