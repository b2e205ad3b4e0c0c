"""Bearer tokens: issued with the local key, verified with it or with an OIDC provider's JWKS.

Claims: `sub` (user id), `role`, `municipality` (a kommunkod, or "*"), plus `iss`, `aud`,
`iat`, `nbf`, `exp`. Accepted algorithms come from settings, never from the token.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from pydantic import ValidationError

from domain.values import NATIONAL_SCOPE, Actor, Role
from infrastructure.keys import token_signing_key
from infrastructure.settings import Settings

CLAIM_ROLE = "role"
CLAIM_MUNICIPALITY = "municipality"


class InvalidTokenError(Exception):
    """Missing, malformed, forged, expired or otherwise unacceptable credentials."""


class TokenIssuer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = token_signing_key(settings.var_dir)

    def issue(
        self, user_id: str, role: Role, municipality: str, ttl_hours: float | None = None
    ) -> str:
        if municipality == NATIONAL_SCOPE and role not in (Role.AUDITOR, Role.EVALUATOR):
            raise ValueError("National scope '*' is only for auditors and evaluators.")
        now = int(time.time())
        ttl = ttl_hours if ttl_hours is not None else self.settings.token_ttl_hours
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


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jwks = (
            jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True, lifespan=300)
            if settings.oidc_jwks_url
            else None
        )
        self.local_key = None if self.jwks else token_signing_key(settings.var_dir).public_key()

    def verify(self, token: str) -> Actor:
        try:
            key: Any = (
                self.jwks.get_signing_key_from_jwt(token).key if self.jwks else self.local_key
            )
            claims = jwt.decode(
                token,
                key,
                algorithms=self.settings.jwt_algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["sub", "exp", "iss", "aud", CLAIM_ROLE, CLAIM_MUNICIPALITY]},
            )
            return actor_from_claims(claims)
        except (jwt.PyJWTError, ValueError, KeyError, TypeError, ValidationError) as error:
            raise InvalidTokenError(str(error)) from error


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    role = Role(claims[CLAIM_ROLE])
    municipality = str(claims[CLAIM_MUNICIPALITY])
    user_id = claims["sub"]
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 200:
        raise ValueError("sub must be a user id")
    if municipality != NATIONAL_SCOPE and not (len(municipality) == 4 and municipality.isdigit()):
        raise ValueError("municipality must be a four-digit code or '*'")
    if municipality == NATIONAL_SCOPE and role not in (Role.AUDITOR, Role.EVALUATOR):
        raise ValueError("national scope is only for auditors and evaluators")
    return Actor(user_id=user_id, role=role, municipality=municipality)
