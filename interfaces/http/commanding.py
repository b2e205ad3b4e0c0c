"""The path of a command through HTTP: body and path into a command, the bus, then the answer."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, create_model

from application.bus import CommandBus
from application.commands import Command
from application.ports import CommandContext, CommandResult
from interfaces.http.problems import responses
from interfaces.http.security import CallerDep

STRONG_ETAG = re.compile(r'^\s*"(\d{1,18})"\s*$')
COMMAND_ERRORS = responses(400, 401, 403, 404, 409, 412, 413, 422, 429, 503)
CREATE_ERRORS = responses(400, 401, 403, 404, 409, 413, 422, 429, 503)


def expected_version(if_match: str | None) -> int | None:
    """`"3"` expects version 3; `*` or no header expects nothing; anything else matches nothing."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = STRONG_ETAG.match(if_match)
    return int(match.group(1)) if match else -1


def command_context(
    request: Request,
    caller: CallerDep,
    if_match: Annotated[
        str | None, Header(description='Only if the record is at this ETag, e.g. "3".')
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Repeat a command safely: the first answer is returned.",
        ),
    ] = None,
) -> CommandContext:
    return CommandContext(
        actor=caller,
        correlation_id=request.state.request_id,
        idempotency_key=idempotency_key,
        expected_version=expected_version(if_match),
    )


ContextDep = Annotated[CommandContext, Depends(command_context)]


def get_bus(request: Request) -> CommandBus:
    return request.app.state.samverkan.bus  # type: ignore[no-any-return]


BusDep = Annotated[CommandBus, Depends(get_bus)]


@cache
def body_of(command: type[Command], *from_path: str) -> type[BaseModel]:
    """The request body of a command whose remaining fields come from the path."""
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in command.model_fields.items()
        if name not in from_path
    }
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{command.__name__}Body",
        __config__=ConfigDict(extra="forbid"),
        __doc__=command.__doc__,
        **fields,
    )


def answer(
    result: CommandResult, response: Response, location: str | None = None
) -> dict[str, Any]:
    response.headers["ETag"] = f'"{result.version}"'
    if location is not None:
        response.status_code = 201
        response.headers["Location"] = f"{location}/{result.id}"
    body: dict[str, Any] = {"id": result.id, "version": result.version, "position": result.position}
    if result.member_id is not None:
        body["member_id"] = result.member_id
    return body


def dispatch(
    bus: CommandBus,
    command: Command,
    context: CommandContext,
    response: Response,
    location: str | None = None,
) -> dict[str, Any]:
    return answer(bus.dispatch(command, context), response, location)
