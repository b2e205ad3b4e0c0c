"""`samverkan audit incident`: end an integrity alarm by recording the break in the log."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.incident import IntegrityIncident
from domain.values import NATIONAL_SCOPE, Actor, Provenance, Role
from infrastructure.store.event_store import EventStore
from infrastructure.store.integrity import (
    ALARM,
    CONTINUE_FROM_STORED_END,
    GENESIS,
    LAST_LINK,
    chain_head,
    check_head,
    sign_head,
)
from infrastructure.views.projections import Projector


class NoIncidentError(Exception):
    """The chain verifies where writers extend it: there is no alarm to end."""


def record_incident(events: EventStore, key: bytes, reason: str, operator: str) -> dict[str, Any]:
    """Record the break and let the chain go on from the stored chain's end, as found.

    Returns the incident's fields and log position. Raises NoIncidentError when the chain
    verifies, so nobody can re-sign a chain that needs no incident.
    """
    with events.transaction() as session:
        check = check_head(session, key)
        found = check.broken or _unchained_events(session, events)
        if found is None:
            raise NoIncidentError("The chain verifies where writers extend it: no alarm to end.")
        incident = IntegrityIncident.record(
            broken_position=max(check.position, 1),
            found=found,
            reason=reason,
            old_head=_old_head(session, key),
            continued_from=_stored_end(session),
            by=Provenance(Actor(operator, Role.ADMIN, NATIONAL_SCOPE), str(uuid4()), str(uuid4())),
        )
        session.info[CONTINUE_FROM_STORED_END] = True
        try:
            recording = events.save(incident)[0]
        finally:
            session.info.pop(CONTINUE_FROM_STORED_END, None)
        position = recording.notification.id
        Projector().project(
            session,
            [(recording.domain_event, position)],
            {incident.id: incident},
            {incident.id: position},
        )
    ALARM.clear()
    return {
        "id": str(incident.id),
        "position": position,
        "broken_position": incident.broken_position,
        "found": found,
    }


def _unchained_events(session: Session, events: EventStore) -> str | None:
    """A log with events but neither head nor links: the chain was deleted whole."""
    if session.execute(select(chain_head.c.id)).first() is not None:
        return None
    table = events.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    if session.execute(select(table.c.id).limit(1)).first() is None:
        return None
    return "the log holds events but no chain"


def _old_head(session: Session, key: bytes) -> dict[str, Any]:
    head = session.execute(select(chain_head)).first()
    if head is None:
        return {"position": None, "hash": None, "signature_valid": False}
    valid = head.signature == sign_head(key, head.position, bytes(head.hash))
    return {"position": head.position, "hash": bytes(head.hash).hex(), "signature_valid": valid}


def _stored_end(session: Session) -> dict[str, Any]:
    last = session.execute(LAST_LINK).first()
    if last is None:
        return {"position": 0, "hash": GENESIS.hex()}
    return {"position": int(last.position), "hash": bytes(last.hash).hex()}
