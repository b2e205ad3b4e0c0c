"""Every forged, stale or malformed bearer token is refused with 401 problem+json, writing nothing.

The JWKS cases (unknown and missing `kid`) are in test_oidc_jwks.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from infrastructure.store.keys import token_signing_key
from tests.e2e.conftest import ÅTVIDABERG, Headers, issue_body

Forge = Callable[[Settings], str]


def claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "anna.lind",
        "role": "caseworker",
        "municipality": ÅTVIDABERG,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not ...}


def signed(settings: Settings, **changes: Any) -> str:
    """A token signed with the real local key, with some claims changed (`...` drops one)."""
    return jwt.encode(claims(settings, **changes), token_signing_key(settings.var_dir), "EdDSA")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segments(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"


def unsigned(settings: Settings) -> str:
    return segments({"alg": "none", "typ": "JWT"}, claims(settings)) + "."


def hs256_with_public_key(settings: Settings) -> str:
    """The classic confusion attack: the public key's PEM bytes used as an HMAC secret."""
    public_pem = (
        token_signing_key(settings.var_dir)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = segments({"alg": "HS256", "typ": "JWT"}, claims(settings))
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def other_key(settings: Settings) -> str:
    return jwt.encode(claims(settings), Ed25519PrivateKey.generate(), "EdDSA")


def tampered_signature(settings: Settings) -> str:
    head, payload, signature = signed(settings).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    return f"{head}.{payload}.{b64(bytes(raw))}"


def tampered_payload(settings: Settings) -> str:
    """A real caseworker token whose payload is rewritten to claim the admin role."""
    head, _, signature = signed(settings).split(".")
    payload = b64(json.dumps(claims(settings, role="admin")).encode())
    return f"{head}.{payload}.{signature}"


def header_claims_ed25519_as_es256(settings: Settings) -> str:
    token = signed(settings)
    _, payload, signature = token.split(".")
    return f"{b64(json.dumps({'alg': 'ES256', 'typ': 'JWT'}).encode())}.{payload}.{signature}"


REJECTED: dict[str, Forge] = {
    "alg_none": unsigned,
    "hs256_signed_with_the_public_key": hs256_with_public_key,
    "signed_with_another_key": other_key,
    "alg_header_swapped_to_es256": header_claims_ed25519_as_es256,
    "wrong_issuer": lambda s: signed(s, iss="https://idp.example.org"),
    "wrong_audience": lambda s: signed(s, aud="another-api"),
    "expired": lambda s: signed(s, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "not_yet_valid": lambda s: signed(s, nbf=int(time.time()) + 3600),
    "tampered_signature": tampered_signature,
    "tampered_payload": tampered_payload,
    "missing_sub": lambda s: signed(s, sub=...),
    "missing_role": lambda s: signed(s, role=...),
    "missing_municipality": lambda s: signed(s, municipality=...),
    "missing_exp": lambda s: signed(s, exp=...),
    "missing_issuer": lambda s: signed(s, iss=...),
    "missing_audience": lambda s: signed(s, aud=...),
    "blank_sub": lambda s: signed(s, sub="  "),
    "unknown_role": lambda s: signed(s, role="superuser"),
    "municipality_not_a_code": lambda s: signed(s, municipality="Åtvidaberg"),
    "municipality_as_number": lambda s: signed(s, municipality=561),
    "caseworker_with_national_scope": lambda s: signed(s, municipality="*"),
    "admin_with_national_scope": lambda s: signed(s, role="admin", municipality="*"),
    "garbage": lambda s: "not-a-token",
    "three_garbage_segments": lambda s: "e30.e30.e30",
    "oversized": lambda s: signed(s, padding="x" * 10_000),
}


def assert_unauthorised(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def assert_no_issue_written(client: TestClient, caseworker: Headers) -> None:
    assert client.get("/api/v1/issues", headers=caseworker).json()["items"] == []


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_a_bad_token_is_401_and_writes_nothing(
    case: str, client: TestClient, api_settings: Settings, caseworker: Headers
) -> None:
    token = REJECTED[case](api_settings)
    headers = {"Authorization": f"Bearer {token}"}
    assert_unauthorised(client.post("/api/v1/issues", json=issue_body(), headers=headers))
    assert_unauthorised(client.get("/api/v1/issues", headers=headers))
    assert_no_issue_written(client, caseworker)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YW5uYTpsaW5k"}],
    ids=["no_header", "empty_bearer", "basic_scheme"],
)
def test_a_request_without_a_bearer_token_is_401(
    headers: Headers, client: TestClient, caseworker: Headers
) -> None:
    assert_unauthorised(client.post("/api/v1/issues", json=issue_body(), headers=headers))
    assert_no_issue_written(client, caseworker)


def test_the_same_claims_signed_with_the_local_key_are_accepted(
    client: TestClient, api_settings: Settings
) -> None:
    """The control case: the forgeries above fail for their flaw, not for the test's claims."""
    headers = {"Authorization": f"Bearer {signed(api_settings)}"}
    response = client.post("/api/v1/issues", json=issue_body(), headers=headers)
    assert response.status_code == 201, response.text


def test_a_token_within_the_clock_skew_leeway_is_accepted(
    client: TestClient, api_settings: Settings
) -> None:
    almost = int(time.time()) + api_settings.jwt_leeway_seconds // 2
    headers = {"Authorization": f"Bearer {signed(api_settings, nbf=almost)}"}
    assert client.get("/api/v1/issues", headers=headers).status_code == 200


def test_the_actor_of_a_command_comes_from_the_token_not_the_body(
    client: TestClient, api_settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {signed(api_settings, sub='karin.berg')}"}
    smuggled = {**issue_body(), "actor": {"user_id": "someone.else", "role": "admin"}}
    assert client.post("/api/v1/issues", json=smuggled, headers=headers).status_code == 422
    created = client.post("/api/v1/issues", json=issue_body(), headers=headers).json()["id"]
    note = {"kind": "phone", "text": "Samtal med byalaget i Falerum.", "occurred_on": "2024-03-01"}
    client.post(f"/api/v1/issues/{created}/notes", json=note, headers=headers)
    view = client.get(f"/api/v1/issues/{created}", headers=headers).json()
    assert [n["recorded_by"] for n in view["notes"]] == ["karin.berg"]


def test_rejected_token_cases_are_counted() -> None:
    """The closing note of the access-control issue reports this number."""
    assert len(REJECTED) == 25
