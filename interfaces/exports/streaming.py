"""Turning many small pieces of text into a few sizeable byte chunks for the response."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

CHUNK_BYTES = 64 * 1024


def buffered(pieces: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 chunks of about `size` bytes: one write per chunk, not one per template token."""
    pending: list[str] = []
    length = 0
    for piece in pieces:
        pending.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(pending).encode()
            pending, length = [], 0
    if pending:
        yield "".join(pending).encode()
