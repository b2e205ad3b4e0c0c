"""Who is calling: the bearer token becomes an Actor; each user gets a request budget."""

from __future__ import annotations

import math
import re
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.values import Actor
from infrastructure.tokens import InvalidTokenError, TokenVerifier
from interfaces.http.problems import RateLimitedError

bearer = HTTPBearer(auto_error=False, description="A token from `samverkan token issue`.")


class RateLimiter:
    """A token bucket per user: `rate` requests a second, bursting up to one second's worth."""

    def __init__(self, spec: str) -> None:
        self.rate = parse_rate(spec)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: str) -> None:
        if self.rate is None:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(user_id, (self.rate, now))
            tokens = min(self.rate, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[user_id] = (tokens, now)
                raise RateLimitedError(max(1, math.ceil((1 - tokens) / self.rate)))
            self._buckets[user_id] = (tokens - 1, now)


def parse_rate(spec: str) -> float | None:
    if spec.strip().lower() == "off":
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(second|minute|hour)\s*", spec)
    if not match:
        raise ValueError(f"SAMVERKAN_RATE_LIMIT must look like '20/second' or 'off', not {spec!r}")
    per = {"second": 1, "minute": 60, "hour": 3600}[match.group(2)]
    return float(match.group(1)) / per


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidTokenError("missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    actor = verifier.verify(credentials.credentials)
    request.app.state.rate_limiter.take(actor.user_id)
    request.state.actor = actor
    return actor


CallerDep = Annotated[Actor, Depends(current_actor)]
