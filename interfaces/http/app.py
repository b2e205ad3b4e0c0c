"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.feeds import Feeds
from infrastructure.queries import RecordQueries
from infrastructure.settings import Settings
from infrastructure.tokens import TokenVerifier
from interfaces.http.middleware import RequestMiddleware
from interfaces.http.problems import install_problem_handlers
from interfaces.http.routers import (
    audit,
    decisions,
    exports,
    feeds,
    insights,
    issues,
    operations,
    outcomes,
    staff,
    task_forces,
)
from interfaces.http.schemas import Problem
from interfaces.http.security import RateLimiter

ROUTERS = [
    issues.router,
    task_forces.router,
    decisions.router,
    outcomes.router,
    audit.router,
    exports.router,
    insights.router,
    staff.router,
    feeds.router,
    operations.router,
]


def create_app(samverkan: Samverkan | None = None, settings: Settings | None = None) -> FastAPI:
    samverkan = samverkan or bootstrap(settings)
    settings = samverkan.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        samverkan.close()

    app = FastAPI(
        title="Samverkan",
        version="1.0",
        summary="Event-sourced case management for municipalities and local communities.",
        description="Issues, task forces, decisions and outcomes; every change is an event.",
        lifespan=lifespan,
    )
    app.state.samverkan = samverkan
    app.state.queries = RecordQueries(samverkan.events, samverkan.policy)
    app.state.verifier = TokenVerifier(settings)
    app.state.feeds = Feeds(samverkan.events, settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    for router in ROUTERS:
        app.include_router(router)
    install_problem_handlers(app)
    app.add_middleware(RequestMiddleware, max_body_bytes=settings.max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
            Problem.model_json_schema()
        )
        app.openapi_schema = schema
    return app.openapi_schema
