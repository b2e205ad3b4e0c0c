"""Every command body has a realistic example in OpenAPI, and the service accepts each one.

The examples show in `/docs` ("Try it out" starts from them) and schemathesis sends them, so each
must be valid against its schema and the command's own rules. Here every example is sent for
real, as a caseworker of Åtvidaberg, to a record prepared the way the access matrix prepares it;
the placeholder ids in an example are swapped for the prepared record's ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from application import commands
from domain.values import Role
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from interfaces.http.examples import example_for
from tests.conftest import settings_for
from tests.e2e.conftest import ÅTVIDABERG
from tests.e2e.test_access_matrix import EXPECTED, Call, Caller, Seeder

Json = dict[str, Any]
SWEDISH = re.compile(r"[åäöÅÄÖ]")
CASEWORKER = Caller(Role.CASEWORKER, "own")
# Command fields a route takes from its path or the caller, where they are not ids.
PATH_VALUES: dict[str, Any] = {"municipality": ÅTVIDABERG, "locality": "Falerum"}
PATH_VALUES |= {"from_user": "lena.ek", "user_id": "lena.ek", "category": "groceries"}
PATH_VALUES |= {"task_force_ids": []}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(settings=settings_for("sqlite", tmp_path_factory.mktemp("ex") / "var"))


@pytest.fixture(scope="module")
def seeder(app: FastAPI) -> Iterator[Seeder]:
    token = TokenIssuer(app.state.samverkan.settings).issue(
        "sara.nord", Role.CASEWORKER, ÅTVIDABERG
    )
    with TestClient(app) as client:
        yield Seeder(client, {"Authorization": f"Bearer {token}"}, ÅTVIDABERG, "sara.nord")


def bodies(app: FastAPI) -> list[tuple[str, str, type[Any]]]:
    """(method, path, body model) of every route that takes a JSON body."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.body_field is not None:
            model = route.body_field.field_info.annotation
            found += [(method, context.path_format, model) for method in sorted(route.methods)]
    return found


def schema_example(app: FastAPI, method: str, path: str) -> Json | None:
    operation = app.openapi()["paths"][path][method.lower()]
    example = operation["requestBody"]["content"]["application/json"].get("example")
    return example  # type: ignore[no-any-return]


def test_every_command_body_has_an_example_in_the_schema(app: FastAPI) -> None:
    missing = [
        f"{m} {p} ({b.__name__})" for m, p, b in bodies(app) if not schema_example(app, m, p)
    ]
    assert not missing, "Add an example to interfaces/http/examples.py for: " + ", ".join(missing)
    assert len(bodies(app)) >= 25


def test_each_example_is_valid_for_its_body_and_its_command(app: FastAPI) -> None:
    for method, path, body in bodies(app):
        example = example_for(body)
        assert example is not None and example == schema_example(app, method, path)
        body.model_validate(example)
        command = getattr(commands, body.__name__.removesuffix("Body"), None)
        if command is None:  # a body that is not a command, such as a checkpoint
            continue
        from_path = {
            name: PATH_VALUES.get(name, UUID(int=1))
            for name in command.model_fields
            if name not in body.model_fields
        }
        command.model_validate({**example, **from_path})  # the command's cross-field rules


def test_free_text_in_the_examples_is_swedish(app: FastAPI) -> None:
    texts = [
        value
        for _, _, body in bodies(app)
        for name, value in (example_for(body) or {}).items()
        if name in ("title", "description", "text", "note", "reason", "summary", "mandate")
    ]
    assert len(texts) >= 15
    assert sum(bool(SWEDISH.search(text)) for text in texts) >= len(texts) * 2 // 3


def _is_placeholder(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_is_placeholder(v) for v in value)
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def realised(example: Json, prepared: Json | None) -> Json:
    """The example, with its placeholder ids taken from a prepared body (or left out)."""
    real = {}
    for name, value in example.items():
        if not _is_placeholder(value):
            real[name] = value
        elif prepared is not None and name in prepared:
            real[name] = prepared[name]
    return real


def test_the_service_accepts_every_example(app: FastAPI, seeder: Seeder) -> None:
    """Sent by another caseworker than the one who prepared the records (four eyes)."""
    token = TokenIssuer(app.state.samverkan.settings).issue(
        "anna.lind", Role.CASEWORKER, ÅTVIDABERG
    )
    headers = {"Authorization": f"Bearer {token}"}
    refused = []
    for method, path, body in bodies(app):
        rule = EXPECTED[(method, path)]
        call = rule.prepare(seeder) if rule.prepare else Call()
        sent = realised(example_for(body) or {}, call.body)
        response = seeder.client.request(
            method, path.format(**call.params), json=sent, headers=headers
        )
        if response.status_code != rule.expect(CASEWORKER):
            refused.append(f"{method} {path} {sent}: {response.status_code} {response.text}")
    assert not refused, "\n".join(refused)


def test_the_docs_page_is_served_from_here(tmp_path: Path, app: FastAPI) -> None:
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
        assert "cdn" not in page.text.lower()
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        assert bundle.status_code == 200
        assert bundle.headers["content-type"].startswith("application/javascript")
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/redoc").status_code == 404  # it needed a CDN: gone, not blank
