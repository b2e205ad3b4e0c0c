"""HTTP fixtures: the real app on a real SQLite file, called through httpx."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from tests.conftest import settings_for

ÅTVIDABERG, SÖDERHAMN, MÖRBYLÅNGA = "0561", "2182", "0840"
TODAY = datetime.now(UTC).date()

Headers = dict[str, str]


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return settings_for("sqlite", tmp_path / "var")


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=api_settings)) as test_client:
        yield test_client


@pytest.fixture
def auth(api_settings: Settings) -> Callable[..., Headers]:
    """Headers for a caller: `auth("anna.lind", "caseworker", "0561")`."""
    issuer = TokenIssuer(api_settings)

    def headers(
        user: str = "anna.lind", role: str = "caseworker", municipality: str = ÅTVIDABERG
    ) -> Headers:
        return {"Authorization": f"Bearer {issuer.issue(user, Role(role), municipality)}"}

    return headers


@pytest.fixture
def caseworker(auth: Callable[..., Headers]) -> Headers:
    return auth("anna.lind", "caseworker", ÅTVIDABERG)


def issue_body(**overrides: Any) -> dict[str, Any]:
    return {
        "municipality": ÅTVIDABERG,
        "locality": "Falerum",
        "title": "Butiken i Falerum kan stänga",
        "description": "Byalaget oroar sig för att dagligvarubutiken läggs ned.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        **overrides,
    }


def task_force_body(issue_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "issue_id": issue_id,
        "name": "Insatsstyrka Falerum",
        "mandate": "Ta fram ett förslag på servicepunkt tillsammans med byalaget.",
        "due_on": (TODAY + timedelta(days=60)).isoformat(),
        "lead": {
            "display_name": "Karin Berg",
            "organisation": "Åtvidabergs kommun",
            "role": "landsbygdsutvecklare",
        },
        **overrides,
    }


@pytest.fixture
def open_issue(client: TestClient, caseworker: Headers) -> Callable[..., str]:
    def create(headers: Headers | None = None, **overrides: Any) -> str:
        response = client.post(
            "/api/v1/issues", json=issue_body(**overrides), headers=headers or caseworker
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    return create


@pytest.fixture
def form_task_force(client: TestClient, caseworker: Headers) -> Callable[..., str]:
    def create(issue_id: str, headers: Headers | None = None, **overrides: Any) -> str:
        response = client.post(
            "/api/v1/task-forces",
            json=task_force_body(issue_id, **overrides),
            headers=headers or caseworker,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    return create
