"""Tokens from a municipality's OpenID Connect provider, checked against its JWKS.

The provider is played by a JWKS document that the test serves itself on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.e2e.conftest import ÅTVIDABERG, issue_body
from tests.e2e.test_tokens import b64, segments

ISSUER = "https://login.atvidaberg.se/realms/kommun"
KID = "atvidaberg-2024"


class Provider:
    """A JWKS endpoint with one RSA signing key, counting how often it is fetched."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}
        self.fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps(provider.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        base = {
            "sub": "anna.lind",
            "role": "caseworker",
            "municipality": ÅTVIDABERG,
            "iss": ISSUER,
            "aud": "samverkan-api",
            "iat": now,
            "exp": now + 600,
        }
        return {**base, **changes}

    def token(self, kid: str | None = KID, key: Any = None, **changes: Any) -> str:
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(self.claims(**changes), key or self.key, "RS256", headers=headers)


@pytest.fixture
def provider() -> Iterator[Provider]:
    provider = Provider()
    provider.thread.start()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


def oidc_settings(tmp_path: Path, jwks_url: str) -> Settings:
    return settings_for(
        "sqlite",
        tmp_path / "var",
        token_source="oidc",
        oidc_issuer=ISSUER,
        oidc_audience="samverkan-api",
        oidc_jwks_url=jwks_url,
        oidc_algorithms=["RS256"],
    )


@pytest.fixture
def oidc_client(tmp_path: Path, provider: Provider) -> Iterator[TestClient]:
    with TestClient(create_app(settings=oidc_settings(tmp_path, provider.url))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_provider_token_opens_an_issue_as_its_subject(
    oidc_client: TestClient, provider: Provider
) -> None:
    headers = bearer(provider.token(sub="karin.berg"))
    created = oidc_client.post("/api/v1/issues", json=issue_body(), headers=headers)
    assert created.status_code == 201, created.text
    note = {"kind": "meeting", "text": "Möte med byalaget.", "occurred_on": "2024-04-02"}
    oidc_client.post(f"{created.headers['Location']}/notes", json=note, headers=headers)
    view = oidc_client.get(created.headers["Location"], headers=headers).json()
    assert [n["recorded_by"] for n in view["notes"]] == ["karin.berg"]


def test_the_jwks_is_fetched_once_and_cached(oidc_client: TestClient, provider: Provider) -> None:
    for user in ("anna.lind", "karin.berg", "nils.holm"):
        response = oidc_client.get("/api/v1/issues", headers=bearer(provider.token(sub=user)))
        assert response.status_code == 200
    assert provider.fetches == 1


def forged_hs256(provider: Provider) -> str:
    public_pem = provider.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = segments({"alg": "HS256", "kid": KID}, provider.claims())
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


REJECTED = {
    "unknown_kid": lambda p: p.token(kid="someone-elses-key"),
    "missing_kid": lambda p: p.token(kid=None),
    "right_kid_wrong_key": lambda p: p.token(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ),
    "alg_none_with_kid": lambda p: segments({"alg": "none", "kid": KID}, p.claims()) + ".",
    "hs256_signed_with_the_public_key": forged_hs256,
    "wrong_issuer": lambda p: p.token(iss="https://login.example.org"),
    "wrong_audience": lambda p: p.token(aud="another-api"),
    "expired": lambda p: p.token(exp=int(time.time()) - 3600),
    "caseworker_with_national_scope": lambda p: p.token(municipality="*"),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_a_bad_provider_token_is_401(
    case: str, oidc_client: TestClient, provider: Provider
) -> None:
    headers = bearer(REJECTED[case](provider))
    response = oidc_client.post("/api/v1/issues", json=issue_body(), headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    listed = oidc_client.get("/api/v1/issues", headers=bearer(provider.token()))
    assert listed.json()["items"] == []


def test_a_locally_issued_token_is_refused_when_the_provider_is_configured(
    tmp_path: Path, oidc_client: TestClient
) -> None:
    local = TokenIssuer(settings_for("sqlite", tmp_path / "var"))
    token = local.issue("anna.lind", Role.CASEWORKER, ÅTVIDABERG)
    assert oidc_client.get("/api/v1/issues", headers=bearer(token)).status_code == 401


def test_unknown_kids_do_not_make_the_service_hammer_the_provider(
    oidc_client: TestClient, provider: Provider
) -> None:
    for attempt in range(5):
        headers = bearer(provider.token(kid=f"guess-{attempt}"))
        assert oidc_client.get("/api/v1/issues", headers=headers).status_code == 401
    assert provider.fetches <= 2


def test_an_unreachable_provider_is_503_with_retry_after(
    tmp_path: Path, provider: Provider
) -> None:
    url = provider.url
    provider.server.shutdown()
    provider.server.server_close()
    with TestClient(create_app(settings=oidc_settings(tmp_path, url))) as client:
        response = client.get("/api/v1/issues", headers=bearer(provider.token()))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "Retry-After" in response.headers
