"""The path of a command through HTTP: body and path into a command, the bus, then the answer."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from functools import cache, partial
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError, create_model

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


async def command_context(
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


async def get_bus(request: Request) -> CommandBus:
    return request.app.state.samverkan.bus  # type: ignore[no-any-return]


BusDep = Annotated[CommandBus, Depends(get_bus)]


@cache
def body_of(command: type[Command], *from_path: str) -> type[BaseModel]:
    """The request body of a command whose remaining fields come from the path.

    A body that must name at least one field (EditIssue) says so with `minProperties: 1`, and
    its optional fields are left out rather than sent as null, so the schema tells the truth.
    """
    partial = _refuses_an_empty_body(command, from_path)
    fields: dict[str, Any] = {
        name: (_strict_bool(_not_null(field.annotation) if partial else field.annotation), field)
        for name, field in command.model_fields.items()
        if name not in from_path
    }
    extra = {"minProperties": 1} if partial else None
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{command.__name__}Body",
        __config__=ConfigDict(extra="forbid", json_schema_extra=extra),
        __doc__=command.__doc__,
        **fields,
    )


def _strict_bool(annotation: Any) -> Any:
    """A JSON flag is `true` or `false`: pydantic alone would also take `0`, `1` and `"yes"`."""
    return StrictBool if annotation is bool else annotation


def _not_null(annotation: Any) -> Any:
    """`X | None` -> `X`: the field may be left out, but not sent as null."""
    if get_origin(annotation) in (Union, UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _refuses_an_empty_body(command: type[Command], from_path: tuple[str, ...]) -> bool:
    """Whether a body with no fields fails the command's own rules (EditIssue needs one).

    The schema then says `minProperties: 1`, so that it tells the truth about such bodies.
    """
    fields = command.model_fields
    if any(f.is_required() for n, f in fields.items() if n not in from_path):
        return False
    if any(fields[name].annotation is not UUID for name in from_path):
        return False
    try:
        command(**{name: UUID(int=0) for name in from_path})
    except ValidationError:
        return True
    return False


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


# The bus blocks until its group commit is on disk, so it runs on these threads. As many as
# anyio's pool gives sync routes; a batch takes up to 64 members.
COMMAND_THREADS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="command")


async def dispatch(
    bus: CommandBus,
    command: Command,
    context: CommandContext,
    response: Response,
    location: str | None = None,
) -> dict[str, Any]:
    return answer(await run_command(bus, command, context), response, location)


async def run_command(bus: CommandBus, command: Command, context: CommandContext) -> CommandResult:
    """The command on a command thread, with the request's context (its log fields).

    A route that only dispatches is async and hands its command over here directly: anyio's
    thread pool, which a sync route goes through, cost about a tenth of a command's CPU.
    """
    call = partial(copy_context().run, bus.dispatch, command, context)
    return await asyncio.get_running_loop().run_in_executor(COMMAND_THREADS, call)
