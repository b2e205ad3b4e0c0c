"""STAND-IN for the lead's `infrastructure/checkpoints.py`: deleted when main is merged.

Same names and shapes: `take_checkpoint(events, var_dir) -> dict` and
`checkpoint_consistency(events, checkpoint, var_dir) -> (bool, str)`. The checkpoint is
`{"position", "hash", "signed_at", "key_id", "signature"}`, Ed25519 over the canonical JSON
(sorted keys, no spaces) of the other four fields.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from infrastructure.audit import snapshot
from infrastructure.event_store import EventStore
from infrastructure.integrity import chain_head, chain_link
from infrastructure.keys import _write_private


def _signing_key(var_dir: Path) -> Ed25519PrivateKey:
    path = var_dir / "keys" / "checkpoint-signing.pem"
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def take_checkpoint(events: EventStore, var_dir: Path) -> dict[str, Any]:
    key = _signing_key(var_dir)
    with snapshot(events) as connection:
        head = connection.execute(select(chain_head.c.position, chain_head.c.hash)).first()
    position, hash_ = (head.position, bytes(head.hash).hex()) if head else (0, "00" * 32)
    fields = {
        "position": position,
        "hash": hash_,
        "signed_at": datetime.now(UTC).isoformat(),
        "key_id": _key_id(key),
    }
    signature = base64.urlsafe_b64encode(key.sign(_canonical(fields))).rstrip(b"=").decode()
    return {**fields, "signature": signature}


def checkpoint_consistency(
    events: EventStore, checkpoint: dict[str, Any], var_dir: Path
) -> tuple[bool, str]:
    key = _signing_key(var_dir)
    fields = {k: checkpoint[k] for k in ("position", "hash", "signed_at", "key_id")}
    signature = base64.urlsafe_b64decode(checkpoint["signature"] + "==")
    try:
        key.public_key().verify(signature, _canonical(fields))
    except InvalidSignature:
        return False, "The signature does not match."
    with snapshot(events) as connection:
        link = connection.execute(
            select(chain_link.c.hash).where(chain_link.c.position == checkpoint["position"])
        ).scalar()
    if link is None or bytes(link).hex() != checkpoint["hash"]:
        return False, f"The log does not hold that hash at position {checkpoint['position']}."
    return True, f"The log holds that hash at position {checkpoint['position']}."
