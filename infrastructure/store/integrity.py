"""A SHA-256 hash chain over the event log, with an HMAC-signed head.

Each event's link hashes the previous link and the event's canonical bytes, so a changed,
deleted, inserted or swapped event breaks every link after it. The head (last position and
hash) is signed with a key kept outside the database, so deleting the newest events, or
rewriting the whole chain, is caught too. Links and head are written in the same transaction
as the events, so a crash never leaves them disagreeing.

No writer extends a chain it has not checked: before the first link of a transaction, the
head's signature is verified and the head must equal the stored link at its position (one
HMAC and one indexed read per batch). A failed check raises the integrity alarm: nothing is
written until `samverkan audit incident` records the break in the log (see docs/integrity.md).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import Gauge
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.orm import Session

from application.errors import IntegrityAlarmError
from infrastructure.store.group_commit import Deferred, deferred_writes

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

# The head, the stored link at its position and the last stored link: one indexed read.
READ_HEAD = select(
    chain_head.c.position,
    chain_head.c.hash,
    chain_head.c.signature,
    select(chain_link.c.hash)
    .where(chain_link.c.position == chain_head.c.position)
    .scalar_subquery()
    .label("link_hash"),
    select(func.max(chain_link.c.position)).scalar_subquery().label("last_link"),
).where(chain_head.c.id == 1)
LAST_LINK = (
    select(chain_link.c.position, chain_link.c.hash).order_by(chain_link.c.position.desc()).limit(1)
)
MOVE_HEAD = chain_head.update().where(chain_head.c.id == 1)
ADD_LINKS = chain_link.insert()  # built once, like MOVE_HEAD: no cache key per write
# Set in a session by `samverkan audit incident`: extend from the stored chain's end, as found.
CONTINUE_FROM_STORED_END = "samverkan.continue_from_stored_end"

logger = structlog.get_logger("samverkan.integrity")
ALARM_GAUGE = Gauge(
    "samverkan_integrity_alarm", "1 while the log's chain does not verify where writers extend it"
)


class Alarm:
    """Whether this process found the chain broken; logs once when that changes."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def raise_(self, reason: str, position: int) -> IntegrityAlarmError:
        if self.reason is None:
            logger.error("integrity alarm", reason=reason, position=position)
        self.reason = reason
        ALARM_GAUGE.set(1)
        return IntegrityAlarmError(
            f"The event log's chain does not verify ({reason}); no command is accepted until "
            "an operator records the incident (samverkan audit incident)."
        )

    def clear(self) -> None:
        if self.reason is not None:
            logger.warning("integrity alarm ended")
        self.reason = None
        ALARM_GAUGE.set(0)


ALARM = Alarm()


@dataclass(frozen=True)
class HeadCheck:
    """What a writer finds where it would extend the chain."""

    position: int
    hash: bytes
    broken: str | None  # why the chain may not be extended, or None

    @property
    def stored(self) -> bool:
        return self.position > 0


def check_head(session: Session, key: bytes) -> HeadCheck:
    """Verify the signed head against the key and the stored links, without writing."""
    head = session.execute(READ_HEAD).first()
    if head is None:
        last = session.execute(LAST_LINK).first()
        if last is not None:
            return HeadCheck(0, GENESIS, "the signed head is missing")
        return HeadCheck(0, GENESIS, None)
    position, head_hash = int(head.position), bytes(head.hash)
    if not hmac.compare_digest(head.signature, sign_head(key, position, head_hash)):
        return HeadCheck(position, head_hash, "the head's signature does not match its content")
    if head.link_hash is None or bytes(head.link_hash) != head_hash:
        return HeadCheck(position, head_hash, "the head does not match the stored chain")
    if head.last_link is not None and int(head.last_link) != position:
        return HeadCheck(position, head_hash, "links were added past the signed head")
    return HeadCheck(position, head_hash, None)


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


def extend_chain(session: Session, key: bytes, records: Sequence[Any], events: Table) -> None:
    """Link newly inserted event records (with ids) to the chain, inside the caller's transaction.

    Must run while the writer holds the event table's lock, so links are made in id order.
    """
    if not records:  # a save with no new events leaves the chain as it is
        return
    deferred = deferred_writes(session)
    tip = deferred.get(CHAIN_TIP) if deferred is not None else None
    if not isinstance(tip, ChainTip):
        tip = ChainTip.read(session, key)
        if not tip.stored and _events_before(session, events, min(r.id for r in records)):
            raise ALARM.raise_("the log holds events but no chain", 1)
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


def _events_before(session: Session, events: Table, position: int) -> bool:
    query = select(events.c.id).where(events.c.id < position).limit(1)
    return session.execute(query).first() is not None


class ChainTip(Deferred):
    """The chain's newest link, links not yet written, and whether the signed head exists."""

    def __init__(self, key: bytes, position: int, hash: bytes, stored: bool) -> None:
        self.key, self.position, self.hash, self.stored = key, position, hash, stored
        self.links: list[dict[str, Any]] = []

    @classmethod
    def read(cls, session: Session, key: bytes) -> ChainTip:
        """The verified tip to extend; raises the integrity alarm where it does not verify."""
        if session.info.get(CONTINUE_FROM_STORED_END):
            return cls._stored_end(session, key)
        check = check_head(session, key)
        if check.broken is not None:
            raise ALARM.raise_(check.broken, check.position)
        if ALARM.reason is not None:
            ALARM.clear()
        return cls(key, check.position, check.hash, stored=check.stored)

    @classmethod
    def _stored_end(cls, session: Session, key: bytes) -> ChainTip:
        """The last stored link, whatever the head says: where an incident continues."""
        last = session.execute(LAST_LINK).first()
        stored = session.execute(select(chain_head.c.id)).first() is not None
        if last is None:
            return cls(key, 0, GENESIS, stored)
        return cls(key, int(last.position), bytes(last.hash), stored)

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
class Vouch:
    """A gallring's word for one position whose plaintext event it redacted in place.

    `link` is the stored link at the position (unchanged by the redaction), `redacted` the
    link the redacted bytes give from the same previous link, and `by` the position of the
    `GallringCarriedOut` event that says so. Verify accepts the position only when its bytes
    give exactly `redacted`, and only while that later event is itself intact.
    """

    link: bytes
    redacted: bytes
    by: int


def vouches_of(position: int, vouches: Mapping[str, Mapping[str, str]] | None) -> dict[int, Vouch]:
    """The vouches one `GallringCarriedOut` at `position` makes, by the position vouched for."""
    found: dict[int, Vouch] = {}
    for vouched, hashes in (vouches or {}).items():
        try:
            found[int(vouched)] = Vouch(
                bytes.fromhex(hashes["link"]), bytes.fromhex(hashes["redacted"]), position
            )
        except (KeyError, TypeError, ValueError):
            continue  # a malformed vouch vouches for nothing
    return found


class ChainWalk:
    """Recomputes the chain event by event, continuing across vouched redactions."""

    def __init__(self, vouches: Mapping[int, Vouch] | None = None) -> None:
        self.vouches = vouches or {}
        self.previous = GENESIS
        self.accepted: dict[int, list[int]] = {}  # voucher position -> positions accepted

    def step(self, row: Any) -> bytes:
        """The link at `row`, as the chain holds it; a vouched redaction gives the vouched link."""
        recomputed = link_hash(
            self.previous,
            row.id,
            row.originator_id,
            row.originator_version,
            row.topic,
            bytes(row.state),
        )
        vouch = self.vouches.get(row.id)
        if vouch is not None and vouch.by > row.id and recomputed == vouch.redacted:
            recomputed = vouch.link
            self.accepted.setdefault(vouch.by, []).append(row.id)
        self.previous = recomputed
        return recomputed

    def unvouched(self, intact_vouchers: set[int]) -> list[int]:
        """Positions accepted on the word of a voucher that is not itself intact."""
        return [p for by, ps in self.accepted.items() if by not in intact_vouchers for p in ps]


@dataclass(frozen=True)
class Verification:
    intact: bool
    checked: int
    first_broken_position: int | None
    head: str
    incidents: list[dict[str, Any]] = field(default_factory=list)

    def with_incidents(self, incidents: list[dict[str, Any]]) -> Verification:
        """Incidents keep the break they record on the report: the chain was broken there."""
        if not incidents:
            return self
        breaks = [i["broken_position"] for i in incidents]
        if self.first_broken_position is not None:
            breaks.append(self.first_broken_position)
        return Verification(False, self.checked, min(breaks), self.head, incidents)


def verify_chain(
    events: Iterable[Any],
    links: Iterable[Any],
    head: Any,
    key: bytes,
    vouches: Mapping[int, Vouch] | None = None,
) -> Verification:
    """Recompute the chain over `events` against the stored `links` and the signed `head`.

    Both iterables are rows in position order. The first broken position is the first event
    whose link is wrong or missing, or the first link whose event has gone. A position that a
    later, intact `GallringCarriedOut` vouches for (`vouches`) is accepted with its redacted
    bytes, and the chain continues from its stored link.
    """
    stored = iter(links)
    link = next(stored, None)
    walk = ChainWalk(vouches)
    vouchers = {vouch.by for vouch in walk.vouches.values()}
    intact_vouchers: set[int] = set()
    stored_previous: bytes | None = GENESIS  # the stored link before this event
    previous, checked, last_position = GENESIS, 0, 0
    broken: list[int] = []
    for row in events:
        while link is not None and link.position < row.id:  # an event was deleted here
            broken.append(link.position)
            stored_previous = None
            link = next(stored, None)
        previous = walk.step(row)
        here = bytes(link.hash) if link is not None and link.position == row.id else None
        if row.id in vouchers and _links_to(stored_previous, row, here):
            intact_vouchers.add(row.id)  # its own bytes are as chained: its vouches count
        stored_previous = here
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
    broken += walk.unvouched(intact_vouchers)
    first = min(broken) if broken else None
    return Verification(first is None, checked, first, previous.hex())


def _links_to(stored_previous: bytes | None, row: Any, stored: bytes | None) -> bool:
    """Whether `row`'s bytes give its stored link from the stored link before it."""
    if stored_previous is None or stored is None:
        return False
    recomputed = link_hash(
        stored_previous,
        row.id,
        row.originator_id,
        row.originator_version,
        row.topic,
        bytes(row.state),
    )
    return recomputed == stored


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
