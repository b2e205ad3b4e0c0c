"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.feeds import Feeds
from infrastructure.integration.relay import RelayThread, relay_for
from infrastructure.settings import Settings
from infrastructure.store.keys import pseudonym_key
from infrastructure.tokens import TokenVerifier
from infrastructure.views.queries import RecordQueries
from infrastructure.views.staff_register import DepartedUsers
from interfaces.http import NO_OPENTELEMETRY
from interfaces.http.docs import install_offline_docs
from interfaces.http.middleware import RequestMiddleware
from interfaces.http.openapi_extras import document
from interfaces.http.paging import NextPageLinks
from interfaces.http.problems import install_problem_handlers
from interfaces.http.routers import (
    audit,
    contacts,
    decisions,
    exports,
    feeds,
    follow_ups,
    insights,
    issues,
    localities,
    operations,
    outcomes,
    plans,
    privacy,
    retention,
    services,
    staff,
    task_forces,
)
from interfaces.http.schemas import Problem
from interfaces.http.security import RateLimiter
from interfaces.privacy import use_key as use_pseudonym_key

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
    privacy.router,
    retention.router,
    follow_ups.router,
    localities.router,
    services.router,
    plans.router,
    contacts.router,
]


def create_app(samverkan: Samverkan | None = None, settings: Settings | None = None) -> FastAPI:
    samverkan = samverkan or bootstrap(settings)
    settings = samverkan.settings
    use_pseudonym_key(pseudonym_key(settings.var_dir))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        relay = start_relay(samverkan)  # one per worker; only the lock holder publishes
        yield
        if relay is not None:
            relay.stop(within=2.0)  # a daemon thread; unacknowledged work is redone
        samverkan.close()

    app = FastAPI(
        title="Samverkan",
        version="1.0",
        summary="Event-sourced case management for municipalities and local communities.",
        description="Issues, task forces, decisions and outcomes; every change is an event.",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_offline_docs, below
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        telemetry=NO_OPENTELEMETRY,
    )
    app.state.samverkan = samverkan
    app.state.queries = RecordQueries(samverkan.events, samverkan.policy)
    app.state.verifier = TokenVerifier(settings)
    app.state.feeds = Feeds(samverkan.events, settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    app.state.departed_users = DepartedUsers(samverkan.events)
    for router in ROUTERS:
        app.include_router(router)
    install_offline_docs(app)
    install_problem_handlers(app)
    app.add_middleware(NextPageLinks)
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
        document(schema, app.routes)
        app.openapi_schema = schema
    return app.openapi_schema


def start_relay(samverkan: Samverkan) -> RelayThread | None:
    """The relay to NATS JetStream, when `SAMVERKAN_NATS_URL` is set."""
    if not samverkan.settings.nats_url:
        return None
    return RelayThread(relay_for(samverkan.events, samverkan.settings)).start()
