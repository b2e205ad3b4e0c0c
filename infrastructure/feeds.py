"""Calendar feeds: subscribable URLs that carry their own token, which can be revoked.

Calendar services fetch a subscription from their own servers and cannot send headers, so the
token travels in the URL. It must therefore not be a key to the API: a feed token has its own
audience, names one kind of feed, reads only that feed's `.ics` route, and is refused from the
moment its feed is revoked. Feeds are access settings, not case records: they live in one
table, kept (not rebuilt) like idempotency records, with who created and who revoked them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import jwt
from sqlalchemy import JSON, Column, MetaData, String, Table, select, update
from sqlalchemy.engine import Engine

from domain.values import Actor, Role
from infrastructure.settings import Settings
from infrastructure.store.event_store import EventStore
from infrastructure.store.keys import token_signing_key
from infrastructure.store.schema import create_missing
from infrastructure.views.read_models import Instant


class FeedKind(StrEnum):
    TIMELINE = "timeline"
    DIALOGUE_CYCLE = "dialogue-cycle"
    FOLLOW_UPS = "follow-ups"


# Where each kind is served, and which query parameters it may carry.
FEED_ROUTES: dict[FeedKind, tuple[str, dict[str, str], frozenset[str]]] = {
    FeedKind.TIMELINE: (
        "/api/v1/exports/timeline",
        {"format": "ics"},
        frozenset({"municipality", "issue_id", "category", "from", "to", "lang"}),
    ),
    FeedKind.DIALOGUE_CYCLE: (
        "/api/v1/insights/dialogue-cycle.ics",
        {},
        frozenset({"municipality"}),
    ),
    FeedKind.FOLLOW_UPS: (
        "/api/v1/follow-ups",
        {"format": "ics"},
        frozenset({"municipality", "overdue"}),
    ),
}
ROUTE_KINDS = {path: kind for kind, (path, _, _) in FEED_ROUTES.items()}

feed_metadata = MetaData()
feed_table = Table(
    "feed_subscription",
    feed_metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_at", Instant(), nullable=False),
    Column("expires_at", Instant(), nullable=False),
    Column("revoked_at", Instant()),
    Column("revoked_by", String(64)),
)


class FeedRefusedError(Exception):
    """A feed token that is forged, expired, revoked, or for another feed."""


@dataclass(frozen=True)
class Feed:
    id: str
    token: str
    expires_at: datetime


class Feeds:
    """Creates, revokes and checks feed tokens, signed with the service's local key."""

    def __init__(self, events: EventStore, settings: Settings) -> None:
        self.events = events
        self.settings = settings
        self.key = token_signing_key(settings.var_dir)
        engine = events.datastore.engine
        assert isinstance(engine, Engine)
        create_missing(engine, feed_metadata)

    def create(self, owner: Actor, kind: FeedKind, params: dict[str, str]) -> Feed:
        now = datetime.now(UTC)
        expires = now + timedelta(days=self.settings.feed_ttl_days)
        feed_id = str(uuid4())
        with self.events.transaction() as session:
            session.execute(
                feed_table.insert().values(
                    id=feed_id,
                    owner=owner.user_id,
                    role=str(owner.role),
                    municipality=owner.municipality,
                    kind=str(kind),
                    params=params,
                    created_at=now,
                    expires_at=expires,
                )
            )
        claims = {
            "sub": owner.user_id,
            "role": str(owner.role),
            "municipality": owner.municipality,
            "feed": str(kind),
            "jti": feed_id,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.feed_audience,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        return Feed(feed_id, jwt.encode(claims, self.key, algorithm="EdDSA"), expires)

    def revoke(self, feed_id: UUID, by: Actor) -> datetime | None:
        """Revoke a feed its owner (or an admin of its municipality) may revoke; None if none."""
        with self.events.transaction() as session:
            row = session.execute(select(feed_table).where(feed_table.c.id == str(feed_id))).first()
            if row is None or not _may_revoke(by, row):
                return None
            revoked_at = row.revoked_at or datetime.now(UTC)
            session.execute(
                update(feed_table)
                .where(feed_table.c.id == row.id)
                .values(revoked_at=revoked_at, revoked_by=row.revoked_by or by.user_id)
            )
        return revoked_at  # type: ignore[no-any-return]

    def actor_for(self, token: str, path: str, query: Mapping[str, str]) -> Actor:
        """The feed owner, for a valid, live feed token of the kind this path serves."""
        try:
            claims = jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["EdDSA"],
                audience=self.settings.feed_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["sub", "exp", "jti", "feed", "role", "municipality"]},
            )
        except jwt.PyJWTError as error:
            raise FeedRefusedError(str(error)) from error
        kind = ROUTE_KINDS.get(path)
        if kind is None or kind != claims["feed"]:
            raise FeedRefusedError("this token is for another feed")
        if any(query.get(name) != value for name, value in FEED_ROUTES[kind][1].items()):
            raise FeedRefusedError("a feed token reads the calendar (.ics) only")
        with self.events.reading() as session:
            row = session.execute(
                select(feed_table.c.revoked_at, feed_table.c.expires_at).where(
                    feed_table.c.id == str(claims["jti"])
                )
            ).first()
        if row is None or row.revoked_at is not None or claims["exp"] < time.time():
            raise FeedRefusedError("the feed was revoked")
        return Actor(claims["sub"], Role(claims["role"]), claims["municipality"])


def _may_revoke(actor: Actor, row: Any) -> bool:
    if actor.user_id == row.owner and actor.municipality == row.municipality:
        return True
    return actor.role == Role.ADMIN and actor.municipality == row.municipality


def feed_url(base: str, kind: FeedKind, params: dict[str, str], token: str) -> str:
    path, fixed, _ = FEED_ROUTES[kind]
    return f"{base.rstrip('/')}{path}?{urlencode({**fixed, **params, 'access_token': token})}"
