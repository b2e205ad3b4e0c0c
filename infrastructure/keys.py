"""Secrets kept outside the database, under SAMVERKAN_VAR_DIR, generated on first use."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as file:
        file.write(content)


def chain_key(var_dir: Path) -> bytes:
    """The HMAC key that signs the head of the event log's hash chain."""
    path = var_dir / "keys" / "chain-head.key"
    if not path.exists():
        _write_private(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def pseudonym_key(var_dir: Path) -> bytes:
    """The HMAC key behind evaluators' pseudonyms: stable labels, not reversible without it."""
    path = var_dir / "keys" / "pseudonym.key"
    if not path.exists():
        _write_private(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def token_signing_key(var_dir: Path) -> Ed25519PrivateKey:
    """The Ed25519 key that `samverkan token issue` signs with and the server verifies."""
    path = var_dir / "keys" / "token-signing.pem"
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
