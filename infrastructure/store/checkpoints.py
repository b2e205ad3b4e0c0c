"""Signed checkpoints: statements anyone can check offline that the log's first `position`
events chain to `hash`.

A checkpoint is signed with an Ed25519 key kept under SAMVERKAN_VAR_DIR; its public half is
served at `/api/v1/audit/checkpoint-key`. An auditor who keeps yesterday's checkpoint proves
today that nothing before it was rewritten, truncated or rolled back to an old backup: the
current log must still chain to exactly that hash at exactly that position. Unlike the HMAC
on the head, checking needs no secret, only the public key and a copy of the log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from infrastructure.store.event_store import EventStore
from infrastructure.store.integrity import (
    ALARM,
    ChainWalk,
    Vouch,
    chain_head,
    chain_link,
    check_head,
    verify_chain,
)
from infrastructure.store.keys import chain_key, checkpoint_signing_key
from infrastructure.views.audit import read_vouches, snapshot

SIGNED_FIELDS = ("hash", "key_id", "position", "signed_at")


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: sorted keys, no spaces."""
    return json.dumps(
        {k: fields[k] for k in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    ).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_info(var_dir: Path, create: bool = True) -> dict[str, str]:
    public = checkpoint_signing_key(var_dir, create).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {"key_id": key_id(public), "public_key_pem": pem.decode()}


def take_checkpoint(events: EventStore, var_dir: Path, create: bool = True) -> dict[str, Any]:
    """Sign the current head, after checking it as a writer would; the alarm refuses it."""
    with snapshot(events) as connection:
        check = check_head(connection, chain_key(var_dir, create))  # type: ignore[arg-type]
    if check.broken is not None:
        raise ALARM.raise_(check.broken, check.position)
    private = checkpoint_signing_key(var_dir, create)
    fields: dict[str, Any] = {
        "position": check.position,
        "hash": check.hash.hex(),
        "signed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": key_id(private.public_key()),
    }
    signature = private.sign(canonical(fields))
    return {**fields, "signature": base64.urlsafe_b64encode(signature).decode().rstrip("=")}


def checkpoint_consistency(
    events: EventStore, checkpoint: dict[str, Any], var_dir: Path, create: bool = True
) -> tuple[bool, str]:
    """Whether `checkpoint` is signed by this service and the log still chains to it."""
    signed, why = _signature_holds(checkpoint, var_dir, create)
    if not signed:
        return False, why
    position, expected = int(checkpoint["position"]), str(checkpoint["hash"])
    table = events.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    columns = (table.c.id, table.c.originator_id, table.c.originator_version, table.c.topic)
    everything = select(*columns, table.c.state).order_by(table.c.id)
    rows = everything.where(table.c.id <= position)
    with snapshot(events) as connection:
        vouches = read_vouches(events, connection)
        streaming = connection.execution_options(yield_per=1000)
        walk = ChainWalk(vouches)
        recomputed, last = chain_through(streaming.execute(rows), walk)
        stored = connection.execute(
            select(chain_link.c.hash).where(chain_link.c.position == position)
        ).scalar()
        vouchers = max(walk.accepted, default=0)
        if vouchers and not _vouchers_hold(connection, everything, vouches, vouchers, var_dir):
            return False, "A gallring that vouches for a redacted event no longer verifies."
    if last < position:
        return False, f"The log ends at position {last}, before the checkpoint's {position}."
    if recomputed.hex() != expected:
        return False, f"The log's first {position} events no longer chain to the checkpoint."
    if position and (stored is None or bytes(stored).hex() != expected):
        return False, f"The stored chain at position {position} differs from the checkpoint."
    return True, f"The log still chains to the checkpoint at position {position}."


def chain_through(rows: Iterable[Any], walk: ChainWalk | None = None) -> tuple[bytes, int]:
    """The chain's hash over `rows` (in position order) and the last position seen.

    A redaction vouched for by a gallring (`walk`'s vouches) continues from the vouched link.
    """
    walk = walk or ChainWalk()
    last = 0
    for row in rows:
        walk.step(row)
        last = row.id
    return walk.previous, last


def _vouchers_hold(
    connection: Any, everything: Any, vouches: dict[int, Vouch], through: int, var_dir: Path
) -> bool:
    """Vouches count only while the log verifies through their gallring, head included."""
    head = connection.execute(select(chain_head).where(chain_head.c.id == 1)).first()
    links = select(chain_link).order_by(chain_link.c.position)
    streaming = connection.execution_options(yield_per=1000)
    key = chain_key(var_dir, False)
    verified = verify_chain(
        streaming.execute(everything), streaming.execute(links), head, key, vouches
    )
    first = verified.first_broken_position
    return first is None or first > through


def _signature_holds(checkpoint: dict[str, Any], var_dir: Path, create: bool) -> tuple[bool, str]:
    info = checkpoint_signing_key(var_dir, create).public_key()
    if checkpoint.get("key_id") != key_id(info):
        return False, "The checkpoint was signed by another key than this service's."
    try:
        signature = base64.urlsafe_b64decode(
            str(checkpoint["signature"]) + "=" * (-len(str(checkpoint["signature"])) % 4)
        )
        info.verify(signature, canonical(checkpoint))
    except (InvalidSignature, binascii.Error, ValueError, KeyError):
        return False, "The checkpoint's signature does not verify."
    return True, "signed"
