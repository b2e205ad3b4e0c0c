"""Secrets kept outside the database, under SAMVERKAN_VAR_DIR.

Keys are generated on first use by the commands that may create a store (`serve`,
`demo load`), readable by the service account only (0600, in a 0700 folder). A key that is
too short, or that others may read, is refused: a key anyone on the machine can read signs
nothing. Read commands ask with `create=False` and never make a key up.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MIN_KEY_BYTES = 32
CHAIN_KEY = Path("keys") / "chain-head.key"
TOKEN_KEY = Path("keys") / "token-signing.pem"
CHECKPOINT_KEY = Path("keys") / "checkpoint-signing.pem"


class KeyFileError(Exception):
    """A key file that is missing, too short or readable by others."""


def private_directory(path: Path) -> Path:
    """A folder only the service account may enter: made 0700, or tightened to it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)
    return path


def make_private(path: Path) -> None:
    """Tighten a file the service wrote (the SQLite database and its WAL) to 0600."""
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def write_key_once(path: Path, content: bytes) -> None:
    """Make a key file (0600) unless one exists: the first writer wins, whole.

    The key is written to a private temporary file and then linked into place, which fails
    where a key already exists: two processes (or threads) starting at once never each write
    a different key, and no reader ever finds the file created but still empty.
    """
    private_directory(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        with suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _read_private(path: Path, create: bool, make: bytes | None) -> bytes:
    if not path.exists():
        if not create or make is None:
            raise KeyFileError(f"There is no key at {path}.")
        write_key_once(path, make)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"The key {path} is readable by others (mode {mode:o}); make it 0600: chmod 600 {path}"
        )
    content = path.read_bytes().strip()
    if len(content) < MIN_KEY_BYTES:
        raise KeyFileError(f"The key {path} holds {len(content)} bytes; a key has at least 32.")
    return content


def chain_key(var_dir: Path, create: bool = True) -> bytes:
    """The HMAC key that signs the head of the event log's hash chain."""
    return _read_private(var_dir / CHAIN_KEY, create, secrets.token_hex(32).encode())


def pseudonym_key(var_dir: Path, create: bool = True) -> bytes:
    """The HMAC key behind evaluators' pseudonyms: stable labels, not reversible without it."""
    return _read_private(var_dir / "keys" / "pseudonym.key", create, secrets.token_hex(32).encode())


def _ed25519(path: Path, create: bool) -> Ed25519PrivateKey:
    fresh = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = serialization.load_pem_private_key(_read_private(path, create, fresh), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"The key {path} is not an Ed25519 private key.")
    return key


def token_signing_key(var_dir: Path, create: bool = True) -> Ed25519PrivateKey:
    """The Ed25519 key that `samverkan token issue` signs with and the server verifies."""
    return _ed25519(var_dir / TOKEN_KEY, create)


def checkpoint_signing_key(var_dir: Path, create: bool = True) -> Ed25519PrivateKey:
    """The Ed25519 key that signs checkpoints, which anyone can check with its public half."""
    return _ed25519(var_dir / CHECKPOINT_KEY, create)
