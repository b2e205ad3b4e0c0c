"""Record-level gallring of events stored before encryption: redaction in place, vouched for.

A store written before personal fields were sealed holds them in plaintext, and destroying a
key erases nothing there. Gallring of such a record therefore rewrites each of its plaintext
events in place: every declared personal field (`domain.personal`) reads `"[gallrad]"`, and
all else stays as it was, so the event still decodes and the aggregate still replays. The
stored chain links are not touched. For each rewritten position the `GallringCarriedOut`
event, chained after them, records the stored link there and the link the redacted bytes
give; `audit verify` accepts exactly that change (docs/integrity.md).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from domain.personal import GALLRAD, declared, value_at
from infrastructure.store.integrity import GENESIS, chain_link, link_hash
from infrastructure.store.sealing import is_sealed, put


def redact_plaintext(
    session: Session, events: Table, record_ids: list[str]
) -> dict[str, dict[str, str]]:
    """Redact the records' plaintext personal fields; the vouches, by position (hex links)."""
    vouches: dict[str, dict[str, str]] = {}
    for record_id in record_ids:
        rows = session.execute(
            select(
                events.c.id,
                events.c.originator_id,
                events.c.originator_version,
                events.c.topic,
                events.c.state,
            )
            .where(events.c.originator_id == UUID(record_id))
            .order_by(events.c.id)
        ).all()
        for row in rows:
            redacted = _redacted(row.topic, bytes(row.state))
            if redacted is None:
                continue
            link = session.execute(
                select(chain_link.c.hash).where(chain_link.c.position == row.id)
            ).scalar()
            if link is None:
                continue  # no link to vouch for: leave the event as it is
            previous = session.execute(
                select(chain_link.c.hash)
                .where(chain_link.c.position < row.id)
                .order_by(chain_link.c.position.desc())
                .limit(1)
            ).scalar()
            then = link_hash(
                GENESIS if previous is None else bytes(previous),
                row.id,
                row.originator_id,
                row.originator_version,
                row.topic,
                redacted,
            )
            session.execute(update(events).where(events.c.id == row.id).values(state=redacted))
            vouches[str(row.id)] = {"link": bytes(link).hex(), "redacted": then.hex()}
    return vouches


def _redacted(topic: str, stored: bytes) -> bytes | None:
    """The stored bytes with every plaintext personal field redacted, or None if none is."""
    try:
        fields = declared(resolve_topic(topic))
    except Exception:  # a topic no class answers to declares nothing
        return None
    if not fields:
        return None
    try:
        state: dict[str, Any] = json.loads(stored)
    except ValueError:  # not the JSON this store writes (compressed or enciphered): left as is
        return None
    changed = False
    for path in fields:
        value = value_at(state, path)
        if value is None or value == GALLRAD or is_sealed(value):
            continue
        put(state, path, GALLRAD)
        changed = True
    if not changed:
        return None
    return json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
