"""Bearer tokens: issued with the local key, verified with it or with an OIDC provider's JWKS.

Claims (see docs/access-control.md): `sub` (the user id), `role` (caseworker, auditor,
evaluator or admin) and `municipality` (a four-digit kommunkod, or "*" for national scope),
plus the registered claims `iss`, `aud`, `exp` and, when present, `nbf` and `iat`.
Accepted algorithms come from settings, never from the token's header.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Protocol

import jwt
from pydantic import ValidationError

from application.commands import USER_ID
from domain.values import NATIONAL_SCOPE, Actor, Role
from infrastructure.settings import Settings
from infrastructure.store.keys import token_signing_key

CLAIM_ROLE = "role"
CLAIM_MUNICIPALITY = "municipality"
REQUIRED_CLAIMS = ["sub", "exp", "iss", "aud", CLAIM_ROLE, CLAIM_MUNICIPALITY]
NATIONAL_ROLES = (Role.AUDITOR, Role.EVALUATOR)
MAX_TOKEN_CHARS = 8192  # far above any real token; parsing stops before the work starts
VERIFIED_TOKENS = 1024  # tokens remembered as verified; the oldest is forgotten first
VERIFIED_SECONDS = 300  # the longest a token is trusted without checking its signature again


class InvalidTokenError(Exception):
    """Missing, malformed, forged, expired or otherwise unacceptable credentials."""


class IdentityProviderUnavailableError(Exception):
    """The OIDC provider's JWKS could not be fetched: our problem, not the caller's."""


class TokenIssuer:
    """Signs tokens with the local Ed25519 key, as `samverkan token issue` does."""

    def __init__(self, settings: Settings, create_key: bool = True) -> None:
        self.settings = settings
        self.key = token_signing_key(settings.var_dir, create_key)

    def issue(
        self, user_id: str, role: Role, municipality: str, ttl_hours: float | None = None
    ) -> str:
        ttl = ttl_hours if ttl_hours is not None else self.settings.token_ttl_hours
        check_claims(user_id, Role(role), municipality)
        if not 0 < ttl <= self.settings.token_max_ttl:
            raise ValueError(
                f"A token lives at most {self.settings.token_max_ttl:g} hours "
                "(SAMVERKAN_TOKEN_MAX_TTL)."
            )
        now = int(time.time())
        claims = {
            "sub": user_id,
            CLAIM_ROLE: str(role),
            CLAIM_MUNICIPALITY: municipality,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": now,
            "nbf": now,
            "exp": now + int(ttl * 3600),
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA")


class KeySource(Protocol):
    """Where the key that checks a token's signature comes from, and what it accepts."""

    issuer: str
    audience: str
    algorithms: list[str]

    def key_for(self, token: str) -> Any: ...


class LocalKey:
    """The public half of the key under SAMVERKAN_VAR_DIR: the embedded default."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.algorithms = list(settings.jwt_algorithms)
        self.key = token_signing_key(settings.var_dir).public_key()

    def key_for(self, token: str) -> Any:
        return self.key


class ProviderKeys:
    """An OpenID Connect provider's JWKS, fetched on first use and cached.

    Every token must name its key with `kid`. An unknown `kid` refreshes the set at most once
    per cooldown (a provider may have rotated its keys), then is refused.
    """

    def __init__(self, settings: Settings) -> None:
        if not settings.oidc_jwks_url or not settings.oidc_issuer:
            raise ValueError("SAMVERKAN_OIDC_JWKS_URL and SAMVERKAN_OIDC_ISSUER are required")
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.algorithms = list(settings.oidc_algorithms)
        self.client = jwt.PyJWKClient(
            settings.oidc_jwks_url,
            cache_jwk_set=True,
            lifespan=settings.oidc_jwks_cache_seconds,
            timeout=5,
        )

    def key_for(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("the token names no key (kid)")
        try:
            key = self.client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            raise IdentityProviderUnavailableError(
                "The identity provider's keys cannot be fetched right now."
            ) from error
        if key.algorithm_name not in self.algorithms:
            raise InvalidTokenError(f"the key {kid} is not for an accepted algorithm")
        return key


def key_source(settings: Settings) -> KeySource:
    return ProviderKeys(settings) if settings.token_source == "oidc" else LocalKey(settings)


class VerifiedTokens:
    """Tokens whose signature and claims were already checked, and the Actor each names.

    Keyed by the whole token, so a changed byte is a different token and is verified afresh.
    Bounded in size (the oldest entry goes first) and in time: an entry lapses when its token
    expires (`exp`, without leeway), and at the latest `max_seconds` after it was verified, as
    a provider's keys are cached no longer. Only successes are remembered.
    """

    def __init__(self, size: int = VERIFIED_TOKENS, max_seconds: float = VERIFIED_SECONDS) -> None:
        self.size = size
        self.max_seconds = max_seconds
        self._entries: dict[str, tuple[Actor, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Actor | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        actor, until = entry
        if time.time() < until:
            return actor
        with self._lock:
            if self._entries.get(token) is entry:
                del self._entries[token]
        return None

    def put(self, token: str, actor: Actor, expires_at: float) -> None:
        until = min(expires_at, time.time() + self.max_seconds)
        with self._lock:
            self._entries.pop(token, None)
            while len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[token] = (actor, until)


class TokenVerifier:
    """Turns a bearer token into the Actor it names, or raises InvalidTokenError."""

    def __init__(self, settings: Settings) -> None:
        self.source = key_source(settings)
        self.leeway = settings.jwt_leeway_seconds
        self.max_lifetime = settings.token_max_ttl * 3600
        self.verified = VerifiedTokens(
            max_seconds=min(VERIFIED_SECONDS, settings.oidc_jwks_cache_seconds)
        )

    @property
    def may_block(self) -> bool:
        """Whether verifying may wait on the network (an OIDC provider's JWKS)."""
        return not isinstance(self.source, LocalKey)

    def recall(self, token: str) -> Actor | None:
        """The Actor of a token verified recently and still valid; None means verify it."""
        return self.verified.get(token)

    def verify(self, token: str) -> Actor:
        actor = self.verified.get(token)
        if actor is not None:
            return actor
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidTokenError("the token is too long")
        try:
            claims = jwt.decode(
                token,
                self.source.key_for(token),
                algorithms=self.source.algorithms,
                audience=self.source.audience,
                issuer=self.source.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
            if claims["exp"] > time.time() + self.max_lifetime + self.leeway:
                raise InvalidTokenError("the token lives longer than this service accepts")
            actor = actor_from_claims(claims)
            self.verified.put(token, actor, float(claims["exp"]))
            return actor
        except (jwt.PyJWTError, ValueError, KeyError, TypeError, ValidationError) as error:
            raise InvalidTokenError(str(error)) from error


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    role = Role(claims[CLAIM_ROLE])
    user_id, municipality = claims["sub"], claims[CLAIM_MUNICIPALITY]
    check_claims(user_id, role, municipality)
    return Actor(user_id=user_id, role=role, municipality=municipality)


def check_claims(user_id: Any, role: Role, municipality: Any) -> None:
    """What every token must name, whether it is issued here or comes from a provider."""
    if not isinstance(user_id, str) or not re.fullmatch(USER_ID, user_id):
        raise ValueError("a user id is 1-64 letters, digits and . _ @ -")
    if not isinstance(municipality, str) or not _is_scope(municipality):
        raise ValueError("the municipality is a four-digit code, or '*'")
    if municipality == NATIONAL_SCOPE and role not in NATIONAL_ROLES:
        raise ValueError("national scope '*' is only for auditors and evaluators")


def _is_scope(municipality: str) -> bool:
    if municipality == NATIONAL_SCOPE:
        return True
    return len(municipality) == 4 and municipality.isascii() and municipality.isdigit()
