"""The path of a read: scope and role checks, the query, pseudonyms for evaluators, the ETag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request, Response
from pydantic import AfterValidator, AwareDatetime

from application.commands import TEXT
from application.confidentiality import conceal_notes
from application.policy import AccessPolicy
from application.policy import Query as Read
from domain.values import Actor
from infrastructure.views.queries import Page, RecordQueries, is_overdue
from interfaces.http.problems import responses
from interfaces.privacy import Pseudonyms

READ_ERRORS = responses(401, 403, 404, 422, 429, 503)
LIST_ERRORS = responses(401, 403, 422, 429, 503)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size, at most 500.")]
Cursor = Annotated[str | None, Query(max_length=200, description="From `next_cursor`.")]
Version = Annotated[int | None, Query(ge=1, description="The record as it was at this version.")]


def _in_utc(instant: datetime | None) -> datetime | None:
    """An instant the server can compare: in UTC, or a 422 where it cannot be represented."""
    if instant is None:
        return None
    try:
        return instant.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("the instant lies outside what the service can represent") from error


AsOf = Annotated[
    AwareDatetime | None,
    AfterValidator(_in_utc),
    Query(description="The record as it was at this instant (ISO 8601 with an offset)."),
]
# Free text in a query string: the same characters a body's text may hold.
SearchText = Annotated[str | None, Query(max_length=200, pattern=TEXT)]


async def get_queries(request: Request) -> RecordQueries:
    return request.app.state.queries  # type: ignore[no-any-return]


async def get_policy(request: Request) -> AccessPolicy:
    return request.app.state.samverkan.policy  # type: ignore[no-any-return]


QueriesDep = Annotated[RecordQueries, Depends(get_queries)]
PolicyDep = Annotated[AccessPolicy, Depends(get_policy)]


def _presented(
    kind: str,
    view: dict[str, Any],
    caller: Actor,
    policy: AccessPolicy,
    pseudonyms: Pseudonyms | None,
    known: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if kind == "task_force":
        view["overdue"] = is_overdue(view)
    if kind == "issue":
        view = conceal_notes(view, caller)
    if pseudonyms is not None and policy.pseudonymises(caller):
        view = pseudonyms.view(kind, view, known)
    return view


def read_view(
    kind: str,
    record_id: UUID,
    caller: Actor,
    queries: RecordQueries,
    policy: AccessPolicy,
    response: Response,
    version: int | None,
    as_of: datetime | None,
) -> dict[str, Any]:
    policy.authorise_query(caller, Read.HISTORY if (version or as_of) else Read.VIEW)
    view = queries.view(kind, caller, record_id, version, as_of)
    response.headers["ETag"] = f'"{view["version"]}"'
    known = None
    if kind == "issue" and policy.pseudonymises(caller):
        known = queries.members_of_issue(record_id)
    return _presented(kind, view, caller, policy, Pseudonyms.for_reader(caller), known)


def read_page(
    kind: str,
    caller: Actor,
    queries: RecordQueries,
    policy: AccessPolicy,
    filters: dict[str, Any],
    limit: int,
    cursor: str | None,
    **options: Any,
) -> dict[str, Any]:
    policy.authorise_query(caller, Read.VIEW)
    page: Page = queries.page(kind, caller, filters, limit, cursor, **options)
    pseudonyms = Pseudonyms.for_reader(caller)
    items = [_presented(kind, item, caller, policy, pseudonyms) for item in page.items]
    return {"items": items, "next_cursor": page.next_cursor}
