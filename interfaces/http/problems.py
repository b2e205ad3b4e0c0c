"""Every error as application/problem+json (RFC 9457), mapped in this one place."""

from __future__ import annotations

from typing import Any

import eventsourcing.persistence as es
import sqlalchemy.exc as sa
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from application import errors as app
from domain.errors import BlankTextError, DomainRuleError
from infrastructure.store.disk_full import disk_of, is_disk_full
from infrastructure.tokens import IdentityProviderUnavailableError, InvalidTokenError
from infrastructure.views.queries import InvalidCursorError
from infrastructure.views.staff_register import DepartedUserError

PROBLEM = "application/problem+json"
logger = structlog.get_logger("samverkan.http")


class RateLimitedError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests.")
        self.retry_after = retry_after


class BadRequestError(Exception):
    """A header or body the service cannot read at all."""


class PayloadTooLargeError(Exception):
    pass


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://samverkan.se/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM)


# exception class -> (status, title); the first match in this order wins
MAPPING: list[tuple[type[Exception], int, str]] = [
    (InvalidTokenError, 401, "Unauthorized"),
    (app.ForbiddenError, 403, "Forbidden"),
    (app.NotFoundError, 404, "Not Found"),
    (app.PreconditionFailedError, 412, "Precondition Failed"),
    (app.IdempotencyKeyReuseError, 422, "Idempotency key reused"),
    (BlankTextError, 422, "Unprocessable Content"),
    (app.UnstorableInputError, 422, "Unprocessable Content"),
    (DomainRuleError, 409, "Conflict with a rule"),
    (app.ConflictError, 409, "Write conflict"),
    (app.WriteConflictError, 409, "Write conflict"),
    (app.IntegrityAlarmError, 503, "Integrity alarm: the event log does not verify"),
    (app.StoreUnavailableError, 503, "Service Unavailable"),
    (IdentityProviderUnavailableError, 503, "Service Unavailable"),
    (BadRequestError, 400, "Bad Request"),
    (PayloadTooLargeError, 413, "Content Too Large"),
]


def _mapped(request: Request, error: Exception) -> JSONResponse:
    for kind, status, title in MAPPING:
        if isinstance(error, kind):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            if status == 503:
                headers = {"Retry-After": "2"}
            detail = "The bearer token is missing or not valid." if status == 401 else str(error)
            if isinstance(error, DepartedUserError):  # a valid token: say why it is refused
                detail = str(error)
            return problem(status, title, detail, headers=headers)
    raise error


def _validation(request: Request, error: Exception) -> JSONResponse:
    # A pydantic ValidationError reaches here when a route builds a command from a valid body
    # plus path values and a cross-field rule fails (e.g. EditIssue with nothing to change).
    assert isinstance(error, RequestValidationError | ValidationError)
    if _body_not_sent_as_json(error):
        return problem(415, "Unsupported Media Type", SEND_JSON)
    details = error.errors()
    if any(d.get("type") == "json_invalid" for d in details):
        return problem(400, "Bad Request", "The body is not valid JSON.")
    errors = [
        {"field": ".".join(str(p) for p in d["loc"] if p != "body") or "body", "message": d["msg"]}
        for d in details
    ]
    return problem(422, "Unprocessable Content", "The request has invalid fields.", errors)


SEND_JSON = "Send the body as JSON, with the header Content-Type: application/json."


def _body_not_sent_as_json(error: Exception) -> bool:
    """FastAPI hands the raw bytes to validation when the content type is not JSON."""
    return isinstance(error, RequestValidationError) and isinstance(error.body, bytes | bytearray)


def _cursor(request: Request, error: Exception) -> JSONResponse:
    return problem(
        422, "Unprocessable Content", str(error), [{"field": "cursor", "message": str(error)}]
    )


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    headers = getattr(error, "headers", None)
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(error.status_code, _title(error.status_code), str(error.detail), headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method any route serves on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        route = context.original_route
        if route.matches(request.scope)[0] != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _rate_limited(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RateLimitedError)
    return problem(
        429,
        "Too Many Requests",
        "Slow down and retry later.",
        headers={"Retry-After": str(error.retry_after)},
    )


# A read that cannot reach the database (commands translate theirs to StoreUnavailableError).
STORE_UNREACHABLE = (sa.OperationalError, sa.InterfaceError, es.OperationalError, es.InterfaceError)


def _store_unreachable(request: Request, error: Exception) -> JSONResponse:
    if is_disk_full(error):
        return _storage_full(request, error)
    logger.warning("store unreachable", error=type(error).__name__)
    detail = "The database cannot be reached."  # never the driver's text: it names hosts
    return problem(503, "Service Unavailable", detail, headers={"Retry-After": "2"})


def _storage_full(request: Request, error: Exception) -> JSONResponse:
    """507, naming the disk to free, never "cannot be reached": the fix is space, not network."""
    logger.error("disk full", error=type(error).__name__)
    disk = disk_of(request.app.state.samverkan.settings)
    detail = f"The disk that holds {disk} is full; nothing was recorded. Free space and retry."
    return problem(507, "Insufficient Storage", detail, headers={"Retry-After": "30"})


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected error", error=type(error).__name__)
    return problem(500, "Internal Server Error", "Something went wrong on our side.")


def _title(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def install_problem_handlers(app_: FastAPI) -> None:
    app_.add_exception_handler(RequestValidationError, _validation)
    app_.add_exception_handler(ValidationError, _validation)
    app_.add_exception_handler(InvalidCursorError, _cursor)
    app_.add_exception_handler(HTTPException, _http)
    app_.add_exception_handler(RateLimitedError, _rate_limited)
    for kind, *_ in MAPPING:
        app_.add_exception_handler(kind, _mapped)
    app_.add_exception_handler(app.StorageFullError, _storage_full)
    for unreachable in STORE_UNREACHABLE:
        app_.add_exception_handler(unreachable, _store_unreachable)
    app_.add_exception_handler(Exception, _unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for a route's error responses, all problem+json."""
    return {
        s: {
            "description": _title(s),
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
