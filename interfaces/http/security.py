"""Who is calling: the bearer token becomes an Actor; each user gets a request budget."""

from __future__ import annotations

import math
import re
import time
from typing import Annotated

import limits
import limits.storage
import limits.strategies
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from domain.values import Actor
from infrastructure.feeds import FeedRefusedError
from infrastructure.tokens import InvalidTokenError, TokenVerifier
from interfaces.http.problems import RateLimitedError

BEARER_DESCRIPTION = (
    "A JWT, from `samverkan token issue` (the local Ed25519 key) or from the municipality's "
    "OpenID Connect provider. Claims: `sub` is the user id, `role` one of caseworker, auditor, "
    "evaluator, admin, and `municipality` a four-digit kommunkod or `*` (national scope, "
    "auditors and evaluators only); `iss`, `aud` and `exp` are required and checked, `nbf` "
    "when present. Missing or invalid: 401. Valid but not allowed: 403. Foreign records: 404."
)
bearer = HTTPBearer(auto_error=False, bearerFormat="JWT", description=BEARER_DESCRIPTION)


class RateLimiter:
    """A sliding window per user: `count` requests in any one period (so a burst of up to the
    whole count is fine); past it, 429 with the seconds until the window lets one through.

    The `limits` library keeps the windows, and forgets each one once it has expired, so
    memory stays bounded by the users active in the last period, not by all users ever seen.
    """

    def __init__(self, spec: str) -> None:
        parsed = parse_rate(spec)
        self.item = limits.parse(spec) if parsed else None
        storage = limits.storage.MemoryStorage()
        self.window = limits.strategies.SlidingWindowCounterRateLimiter(storage)

    def take(self, user_id: str) -> None:
        if self.item is None:
            return
        if not self.window.hit(self.item, user_id):
            reset = self.window.get_window_stats(self.item, user_id).reset_time
            raise RateLimitedError(max(1, math.ceil(reset - time.time())))


def parse_rate(spec: str) -> tuple[float, float] | None:
    """`20/second` -> (capacity 20, refill 20 a second); `off` -> None."""
    if spec.strip().lower() == "off":
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(second|minute|hour)\s*", spec)
    if not match or float(match.group(1)) < 1:
        raise ValueError(f"SAMVERKAN_RATE_LIMIT must look like '20/second' or 'off', not {spec!r}")
    count = float(match.group(1))
    per = {"second": 1, "minute": 60, "hour": 3600}[match.group(2)]
    return count, count / per


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller named by the bearer token (async: no thread handoff for a cheap check)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidTokenError("missing bearer token")
    return await _verified(request, credentials.credentials)


async def feed_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    access_token: Annotated[
        str | None,
        Query(
            max_length=4096,
            description="For calendar apps, which cannot send headers: a feed token from "
            "`POST /api/v1/feeds` (or `samverkan token issue --feed`), accepted for this "
            "feed's `.ics` answer only. No other token is accepted in a URL.",
        ),
    ] = None,
) -> Actor:
    """The caller of a calendar feed: the Authorization header, or a feed token in the URL.

    A feed token is checked against its revocation in the database: on a worker thread."""
    if access_token is None:
        return await current_actor(request, credentials)
    if credentials is not None:
        raise InvalidTokenError("send one token, not two")
    try:
        actor = await run_in_threadpool(
            request.app.state.feeds.actor_for, access_token, request.url.path, request.query_params
        )
    except FeedRefusedError as error:
        raise InvalidTokenError(str(error)) from error
    request.app.state.departed_users.require_present(actor)  # a departed owner's feeds too
    request.app.state.rate_limiter.take(actor.user_id)
    request.state.actor = actor
    return actor


async def _verified(request: Request, token: str) -> Actor:
    """A recently verified token is answered from memory; a local key's signature is checked
    on the event loop (CPU only, well under a millisecond); an OIDC provider's JWKS may have
    to be fetched, so that check runs on a worker thread."""
    verifier: TokenVerifier = request.app.state.verifier
    actor = verifier.recall(token)
    if actor is None:
        if verifier.may_block:
            actor = await run_in_threadpool(verifier.verify, token)
        else:
            actor = verifier.verify(token)
    request.app.state.departed_users.require_present(actor)  # an in-memory set lookup
    request.app.state.rate_limiter.take(actor.user_id)
    request.state.actor = actor
    return actor


CallerDep = Annotated[Actor, Depends(current_actor)]
FeedCallerDep = Annotated[Actor, Depends(feed_actor)]
