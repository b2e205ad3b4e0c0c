"""Abuse limits: a request budget per user, and caps on body and page size."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from interfaces.http.security import RateLimiter, parse_rate
from tests.conftest import settings_for
from tests.e2e.conftest import ÅTVIDABERG, Headers, issue_body

MiB = 1024 * 1024


@pytest.fixture
def limited_settings(tmp_path: Path) -> Settings:
    # Three an hour: the bucket cannot refill between the test's requests, whatever the clock.
    return settings_for("sqlite", tmp_path / "var").model_copy(update={"rate_limit": "3/hour"})


@pytest.fixture
def limited(limited_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=limited_settings)) as client:
        yield client


@pytest.fixture
def token_for(limited_settings: Settings) -> Callable[[str], Headers]:
    issuer = TokenIssuer(limited_settings)
    return lambda user: {
        "Authorization": f"Bearer {issuer.issue(user, Role.CASEWORKER, ÅTVIDABERG)}"
    }


def test_past_the_budget_a_user_gets_429_problem_with_retry_after(
    limited: TestClient, token_for: Callable[[str], Headers]
) -> None:
    anna = token_for("anna.lind")
    assert [limited.get("/api/v1/issues", headers=anna).status_code for _ in range(3)] == [200] * 3
    refused = limited.post("/api/v1/issues", json=issue_body(), headers=anna)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_refused_command_writes_nothing(
    limited: TestClient, token_for: Callable[[str], Headers]
) -> None:
    anna, karin = token_for("anna.lind"), token_for("karin.berg")
    for _ in range(3):
        limited.get("/api/v1/issues", headers=anna)
    assert limited.post("/api/v1/issues", json=issue_body(), headers=anna).status_code == 429
    assert limited.get("/api/v1/issues", headers=karin).json()["items"] == []


def test_the_budget_is_per_user(limited: TestClient, token_for: Callable[[str], Headers]) -> None:
    anna, karin = token_for("anna.lind"), token_for("karin.berg")
    for _ in range(3):
        limited.get("/api/v1/issues", headers=anna)
    assert limited.get("/api/v1/issues", headers=anna).status_code == 429
    assert limited.get("/api/v1/issues", headers=karin).status_code == 200


def test_health_and_metrics_are_never_limited(limited: TestClient) -> None:
    assert {limited.get("/health/live").status_code for _ in range(10)} == {200}
    assert {limited.get("/metrics").status_code for _ in range(10)} == {200}


def test_off_disables_the_limit(client: TestClient, caseworker: Headers) -> None:
    """The shared e2e settings run with `off`, as load tests and benchmarks do."""
    statuses = {client.get("/api/v1/issues", headers=caseworker).status_code for _ in range(60)}
    assert statuses == {200}


def test_the_default_is_twenty_a_second_with_a_burst_of_twenty() -> None:
    limiter = RateLimiter(Settings().rate_limit)
    for _ in range(20):
        limiter.take("anna.lind")
    with pytest.raises(Exception, match="Too many requests"):
        for _ in range(5):
            limiter.take("anna.lind")


@pytest.mark.parametrize("spec", ["fast", "20", "0/second", "20/fortnight", "-1/second"])
def test_a_malformed_limit_is_refused_at_start(spec: str) -> None:
    with pytest.raises(ValueError, match="SAMVERKAN_RATE_LIMIT"):
        parse_rate(spec)


def test_a_per_minute_limit_still_allows_a_burst() -> None:
    assert parse_rate("100/minute") == (100.0, 100 / 60)


def test_a_body_over_one_mebibyte_is_413_even_when_streamed(
    client: TestClient, caseworker: Headers
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b" " * (64 * 1024)

    response = client.post(
        "/api/v1/issues",
        content=chunks(),
        headers={**caseworker, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/issues", headers=caseworker).json()["items"] == []


def test_a_body_of_exactly_one_mebibyte_is_read(client: TestClient, caseworker: Headers) -> None:
    padded = issue_body(description="Lång beskrivning. " * 500)
    body = json.dumps(padded).encode()
    body += b" " * (MiB - len(body))
    response = client.post(
        "/api/v1/issues", content=body, headers={**caseworker, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "path", ["/api/v1/issues", "/api/v1/task-forces", "/api/v1/decisions", "/api/v1/outcomes"]
)
def test_a_page_size_above_500_is_422_and_500_is_allowed(
    path: str, client: TestClient, caseworker: Headers
) -> None:
    too_big = client.get(path, params={"limit": 501}, headers=caseworker)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"].endswith("limit")
    assert client.get(path, params={"limit": 500}, headers=caseworker).status_code == 200


def test_the_limiter_forgets_users_whose_window_has_passed() -> None:
    """Memory is bounded by the users of the last periods, not by every user ever seen."""
    limiter = RateLimiter("5/second")
    storage: Any = limiter.window.storage
    for n in range(500):
        limiter.take(f"besokare.{n}")
    assert len(storage.storage) >= 500
    deadline = time.monotonic() + 15
    while len(storage.storage) > 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        limiter.take("anna.lind")  # the expiry runs as requests come in
    assert len(storage.storage) <= 2  # anna's own windows, nobody else's
