"""The cache of verified tokens saves the signature check, and never accepts more than it would.

A token is remembered only after it passed every check, only as the exact string that passed,
and only until it expires (or `max_seconds` after its check, whichever comes first).
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from domain.values import Actor, Role
from infrastructure.settings import Settings
from infrastructure.tokens import InvalidTokenError, TokenVerifier, VerifiedTokens
from tests.e2e.conftest import ÅTVIDABERG, issue_body
from tests.e2e.test_tokens import REJECTED, signed, tampered_payload, tampered_signature

ANNA = Actor(user_id="anna.lind", role=Role.CASEWORKER, municipality=ÅTVIDABERG)


def test_a_verified_token_is_answered_from_memory(api_settings: Settings) -> None:
    verifier = TokenVerifier(api_settings)
    token = signed(api_settings)
    assert verifier.recall(token) is None
    assert verifier.verify(token) == ANNA
    assert verifier.recall(token) == ANNA


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_a_refused_token_is_never_remembered(api_settings: Settings, case: str) -> None:
    verifier = TokenVerifier(api_settings)
    token = REJECTED[case](api_settings)
    for _ in range(2):
        with pytest.raises(InvalidTokenError):
            verifier.verify(token)
    assert verifier.recall(token) is None


def test_tampering_with_a_remembered_token_is_still_refused(
    client: TestClient, api_settings: Settings
) -> None:
    """The forgeries are made from the same claims as the token the cache already holds."""
    good = {"Authorization": f"Bearer {signed(api_settings)}"}
    assert client.post("/api/v1/issues", json=issue_body(), headers=good).status_code == 201
    for forged in (tampered_signature(api_settings), tampered_payload(api_settings)):
        headers = {"Authorization": f"Bearer {forged}"}
        response = client.post("/api/v1/issues", json=issue_body(), headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert len(client.get("/api/v1/issues", headers=good).json()["items"]) == 1


def test_a_remembered_token_lapses_when_it_expires() -> None:
    tokens = VerifiedTokens(size=8, max_seconds=3600)
    tokens.put("expired", ANNA, expires_at=time.time() - 1)
    tokens.put("valid", ANNA, expires_at=time.time() + 60)
    assert tokens.get("expired") is None
    assert tokens.get("valid") == ANNA


def test_a_token_is_remembered_no_longer_than_max_seconds() -> None:
    tokens = VerifiedTokens(size=8, max_seconds=0)
    tokens.put("long-lived", ANNA, expires_at=time.time() + 3600)
    assert tokens.get("long-lived") is None


def test_the_cache_is_bounded_and_forgets_the_oldest_first() -> None:
    tokens = VerifiedTokens(size=2, max_seconds=60)
    for name in ("first", "second", "third"):
        tokens.put(name, ANNA, expires_at=time.time() + 60)
    assert [tokens.get(n) for n in ("first", "second", "third")] == [None, ANNA, ANNA]
