"""A SHA-256 hash chain over the event log, with an HMAC-signed head.

Each event's link hashes the previous link and the event's canonical bytes, so a changed,
deleted, inserted or swapped event breaks every link after it. The head (last position and
hash) is signed with a key kept outside the database, so deleting the newest events, or
rewriting the whole chain, is caught too. Links and head are written in the same transaction
as the events, so a crash never leaves them disagreeing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, select
from sqlalchemy.orm import Session

from infrastructure.group_commit import Deferred, deferred_writes

CHAIN_TIP = "chain_tip"
GENESIS = b"\0" * 32

chain_metadata = MetaData()
chain_link = Table(
    "event_chain_link",
    chain_metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("hash", LargeBinary(32), nullable=False),
)
chain_head = Table(
    "event_chain_head",
    chain_metadata,
    Column("id", Integer, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    Column("signature", String(64), nullable=False),
)

READ_HEAD = select(chain_head.c.position, chain_head.c.hash)
MOVE_HEAD = chain_head.update().where(chain_head.c.id == 1)
ADD_LINKS = chain_link.insert()  # built once, like MOVE_HEAD: no cache key per write


def link_hash(
    previous: bytes, position: int, originator_id: Any, version: int, topic: str, state: bytes
) -> bytes:
    digest = hashlib.sha256(previous)
    for part in (str(position), str(originator_id), str(version), topic):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(4, "big") + encoded)
    digest.update(len(state).to_bytes(8, "big") + state)
    return digest.digest()


def sign_head(key: bytes, position: int, head_hash: bytes) -> str:
    return hmac.new(key, f"{position}:{head_hash.hex()}".encode(), hashlib.sha256).hexdigest()


def extend_chain(session: Session, key: bytes, records: Sequence[Any]) -> None:
    """Link newly inserted event records (with ids) to the chain, inside the caller's transaction.

    Must run while the writer holds the event table's lock, so links are made in id order.
    """
    if not records:  # a save with no new events leaves the chain as it is
        return
    deferred = deferred_writes(session)
    tip = deferred.get(CHAIN_TIP) if deferred is not None else None
    if not isinstance(tip, ChainTip):
        tip = ChainTip.read(session, key)
    previous = tip.hash
    links = []
    for record in sorted(records, key=lambda r: r.id):
        previous = link_hash(
            previous,
            record.id,
            record.originator_id,
            record.originator_version,
            record.topic,
            record.state,
        )
        links.append({"position": record.id, "hash": previous})
    tip.links += links
    tip.position, tip.hash = links[-1]["position"], previous
    if deferred is None:
        tip.write(session)
    else:  # a group commit reads the head once, and writes links and head just before COMMIT
        deferred[CHAIN_TIP] = tip


class ChainTip(Deferred):
    """The chain's newest link, links not yet written, and whether the signed head exists."""

    def __init__(self, key: bytes, position: int, hash: bytes, stored: bool) -> None:
        self.key, self.position, self.hash, self.stored = key, position, hash, stored
        self.links: list[dict[str, Any]] = []

    @classmethod
    def read(cls, session: Session, key: bytes) -> ChainTip:
        head = session.execute(READ_HEAD).first()
        if head is None:
            return cls(key, 0, GENESIS, stored=False)
        return cls(key, head.position, bytes(head.hash), stored=True)

    def write(self, session: Session) -> None:
        if self.links:
            session.execute(ADD_LINKS, self.links)
            self.links = []
        values = {
            "position": self.position,
            "hash": self.hash,
            "signature": sign_head(self.key, self.position, self.hash),
        }
        if self.stored:
            session.execute(MOVE_HEAD, values)  # built once: a per-save build was costly
        else:
            session.execute(chain_head.insert(), {"id": 1, **values})
            self.stored = True


@dataclass(frozen=True)
class Verification:
    intact: bool
    checked: int
    first_broken_position: int | None
    head: str


def verify_chain(
    events: Iterable[Any], links: Iterable[Any], head: Any, key: bytes
) -> Verification:
    """Recompute the chain over `events` against the stored `links` and the signed `head`.

    Both iterables are rows in position order. The first broken position is the first event
    whose link is wrong or missing, or the first link whose event has gone.
    """
    stored = iter(links)
    link = next(stored, None)
    previous, checked, last_position = GENESIS, 0, 0
    broken: list[int] = []
    for row in events:
        while link is not None and link.position < row.id:  # an event was deleted here
            broken.append(link.position)
            link = next(stored, None)
        previous = link_hash(
            previous, row.id, row.originator_id, row.originator_version, row.topic, bytes(row.state)
        )
        if link is None or link.position != row.id or bytes(link.hash) != previous:
            broken.append(row.id)
        if link is not None and link.position == row.id:
            link = next(stored, None)
        checked += 1
        last_position = row.id
    if link is not None:  # the newest events were deleted, with or without their links
        broken.append(link.position)
    head_break = _head_mismatch(head, key, last_position, previous)
    if head_break is not None:
        broken.append(head_break)
    first = min(broken) if broken else None
    return Verification(first is None, checked, first, previous.hex())


def _head_mismatch(head: Any, key: bytes, last_position: int, last_hash: bytes) -> int | None:
    if head is None:
        return None if last_position == 0 else 1
    signed = hmac.compare_digest(head.signature, sign_head(key, head.position, bytes(head.hash)))
    if not signed:
        return max(head.position, 1)
    if head.position == last_position and bytes(head.hash) == last_hash:
        return None
    if head.position == last_position:  # same length, different content: the chain was rewritten
        return head.position
    # Events past the signed head were appended without the key, or signed ones are gone.
    return min(head.position, last_position) + 1
