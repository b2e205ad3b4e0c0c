"""Issues (ärenden): open, edit, assign, log dialogue, split, resolve, close, reopen."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as c
from application.commands import TEXT
from domain.values import Category, IssueStatus
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    CREATE_ERRORS,
    BusDep,
    ContextDep,
    body_of,
    dispatch,
)
from interfaces.http.reading import (
    LIST_ERRORS,
    READ_ERRORS,
    AsOf,
    Cursor,
    Limit,
    PolicyDep,
    QueriesDep,
    SearchText,
    Version,
    read_page,
    read_view,
)
from interfaces.http.schemas import Accepted, IssueSummary, IssueView, Page
from interfaces.http.security import CallerDep

PATH = "/api/v1/issues"
router = APIRouter(prefix=PATH, tags=["issues"])
Code = Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Municipality code")]


@router.post("", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
def open_issue(body: c.OpenIssue, bus: BusDep, ctx: ContextDep, response: Response) -> Any:
    """OpenIssue: raise a question with a local community."""
    return dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[IssueSummary], responses=LIST_ERRORS)
def list_issues(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    municipality: Code = None,
    locality: SearchText = None,
    status: IssueStatus | None = None,
    category: Category | None = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=TEXT, description="Text in title, description or locality"),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = {
        "municipality": municipality,
        "locality": locality,
        "status": status,
        "category": category,
    }
    return read_page("issue", caller, queries, policy, filters, limit, cursor, text=q)


@router.get("/{issue_id}", response_model=IssueView, responses=READ_ERRORS)
def get_issue(
    issue_id: UUID,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> Any:
    return read_view("issue", issue_id, caller, queries, policy, response, version, as_of)


@router.patch("/{issue_id}", response_model=Accepted, responses=COMMAND_ERRORS)
def edit_issue(
    issue_id: UUID,
    body: body_of(c.EditIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """EditIssue: change any of title, description, locality and category."""
    return dispatch(
        bus, c.EditIssue(issue_id=issue_id, **body.model_dump(exclude_unset=True)), ctx, response
    )


@router.put("/{issue_id}/responsibility", response_model=Accepted, responses=COMMAND_ERRORS)
def assign_responsibility(
    issue_id: UUID,
    body: body_of(c.AssignResponsibility, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AssignResponsibility: a unit and role first, a person second."""
    return dispatch(
        bus, c.AssignResponsibility(issue_id=issue_id, **body.model_dump()), ctx, response
    )


@router.post("/{issue_id}/notes", response_model=Accepted, responses=COMMAND_ERRORS)
def add_note(
    issue_id: UUID,
    body: body_of(c.AddNote, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AddNote: log one exchange with the local community; evaluators see only public notes."""
    return dispatch(bus, c.AddNote(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.post(
    "/{issue_id}/split", status_code=201, response_model=Accepted, responses=COMMAND_ERRORS
)
def split_issue(
    issue_id: UUID,
    body: body_of(c.SplitIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """SplitIssue: open a child issue; the answer describes the child."""
    command = c.SplitIssue(issue_id=issue_id, **body.model_dump())
    return dispatch(bus, command, ctx, response, location=PATH)


@router.post("/{issue_id}/resolve", response_model=Accepted, responses=COMMAND_ERRORS)
def resolve_issue(
    issue_id: UUID,
    body: body_of(c.ResolveIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ResolveIssue."""
    return dispatch(bus, c.ResolveIssue(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.post("/{issue_id}/close", response_model=Accepted, responses=COMMAND_ERRORS)
def close_issue(
    issue_id: UUID,
    body: body_of(c.CloseIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CloseIssue: withdraw it, with the reason."""
    return dispatch(bus, c.CloseIssue(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.post("/{issue_id}/reopen", response_model=Accepted, responses=COMMAND_ERRORS)
def reopen_issue(
    issue_id: UUID,
    body: body_of(c.ReopenIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ReopenIssue: a resolved or closed issue opens again."""
    return dispatch(bus, c.ReopenIssue(issue_id=issue_id, **body.model_dump()), ctx, response)
