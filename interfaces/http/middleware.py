"""Pure ASGI middleware for what every request needs: an id, a size limit, a log line, metrics."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram

logger = structlog.get_logger("samverkan.http")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
DRAIN_LIMIT = 16 * 1024 * 1024  # read (and drop) this much of an oversized body, then answer

REQUESTS = Counter("samverkan_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("samverkan_http_request_seconds", "HTTP request duration", ["method", "route"])

Scope = dict[str, Any]


class RequestMiddleware:
    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = {"code": 500}

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        body, too_large = await _read_body(receive, self.max_body_bytes)
        if too_large:
            await _too_large(send_with_id, self.max_body_bytes)
        else:
            await self.app(scope, _replay(body, receive), send_with_id)
        self._account(scope, status["code"], started)

    def _account(self, scope: Scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = getattr(scope.get("route"), "path", "unmatched")
        REQUESTS.labels(scope["method"], route, str(status)).inc()
        LATENCY.labels(scope["method"], route).observe(elapsed)
        actor = scope.get("state", {}).get("actor")
        logger.info(
            "request",
            method=scope["method"],
            route=route,
            status=status,
            ms=round(elapsed * 1000, 2),
            user=getattr(actor, "user_id", None),
            municipality=getattr(actor, "municipality", None),
        )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if REQUEST_ID.match(candidate):
                return candidate
    return str(uuid.uuid4())


async def _read_body(receive: Any, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        if not message.get("more_body") or size > DRAIN_LIMIT:
            break
    return b"".join(chunks), size > limit


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # Wait for the real disconnect: a StreamingResponse listens for it and stops early.
        return await receive()  # type: ignore[no-any-return]

    return replayed


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://samverkan.se/problems/413",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The body is larger than {limit} bytes.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
