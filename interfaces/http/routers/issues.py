"""Issues (ärenden): open, edit, assign, log dialogue, split, resolve, close, reopen."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as c
from application.commands import TEXT
from domain.registration import PATTERN
from domain.values import Category, IssueStatus
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    CREATE_ERRORS,
    BusDep,
    ContextDep,
    answer,
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
async def open_issue(body: c.OpenIssue, bus: BusDep, ctx: ContextDep, response: Response) -> Any:
    """OpenIssue: raise a question with a local community."""
    return await dispatch(bus, body, ctx, response, location=PATH)


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
        Query(
            max_length=200,
            pattern=TEXT,
            description=(
                "Text in title, description, locality or registration number: any part of"
                " them, case-insensitive. From 3 characters on, the search uses a trigram"
                " index; a shorter text (e.g. `Ås`) is accepted too, and checked against every"
                " issue the other filters select, so narrow it with them where you can."
            ),
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    registration_number: Annotated[
        str | None,
        Query(
            pattern=PATTERN,
            description="Exactly this registration number (diarienummer), e.g. 2462-2026/0017",
        ),
    ] = None,
) -> Any:
    filters = {
        "municipality": municipality,
        "locality": locality,
        "status": status,
        "category": category,
        "registration_number": registration_number,
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
async def edit_issue(
    issue_id: UUID,
    body: body_of(c.EditIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """EditIssue: change any of title, description, locality and category."""
    return await dispatch(
        bus, c.EditIssue(issue_id=issue_id, **body.model_dump(exclude_unset=True)), ctx, response
    )


@router.put("/{issue_id}/responsibility", response_model=Accepted, responses=COMMAND_ERRORS)
async def assign_responsibility(
    issue_id: UUID,
    body: body_of(c.AssignResponsibility, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AssignResponsibility: a unit and role first, a person second."""
    return await dispatch(
        bus, c.AssignResponsibility(issue_id=issue_id, **body.model_dump()), ctx, response
    )


@router.post("/{issue_id}/notes", response_model=Accepted, responses=COMMAND_ERRORS)
async def add_note(
    issue_id: UUID,
    body: body_of(c.AddNote, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AddNote: log one exchange with the local community; evaluators see only public notes."""
    return await dispatch(bus, c.AddNote(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.post(
    "/{issue_id}/split", status_code=201, response_model=Accepted, responses=COMMAND_ERRORS
)
async def split_issue(
    issue_id: UUID,
    body: body_of(c.SplitIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """SplitIssue: open a child issue; the answer describes the child."""
    command = c.SplitIssue(issue_id=issue_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response, location=PATH)


@router.post("/{issue_id}/resolve", response_model=Accepted, responses=COMMAND_ERRORS)
async def resolve_issue(
    issue_id: UUID,
    body: body_of(c.ResolveIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ResolveIssue."""
    return await dispatch(
        bus, c.ResolveIssue(issue_id=issue_id, **body.model_dump()), ctx, response
    )


@router.post("/{issue_id}/close", response_model=Accepted, responses=COMMAND_ERRORS)
async def close_issue(
    issue_id: UUID,
    body: body_of(c.CloseIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CloseIssue: withdraw it, with the reason."""
    return await dispatch(bus, c.CloseIssue(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.post("/{issue_id}/reopen", response_model=Accepted, responses=COMMAND_ERRORS)
async def reopen_issue(
    issue_id: UUID,
    body: body_of(c.ReopenIssue, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ReopenIssue: a resolved or closed issue opens again."""
    return await dispatch(bus, c.ReopenIssue(issue_id=issue_id, **body.model_dump()), ctx, response)


# Corrections of the dialogue log


@router.post(
    "/{issue_id}/notes/{note_id}/correct", response_model=Accepted, responses=COMMAND_ERRORS
)
async def correct_note(
    issue_id: UUID,
    note_id: UUID,
    body: body_of(c.CorrectNote, "issue_id", "note_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CorrectNote: a note's `text` or `occurred_on` (or both), always with a `reason`.

    Records `Issue.NoteCorrected`; the `Issue.NoteAdded` event keeps the first version, so the
    history holds both. The issue view then shows the current text and date with
    `corrected: true`. A withdrawn note accepts no correction (409); an unknown note is 404;
    `occurred_on` after today (UTC) is 422. On the timeline as `note_corrected`.
    """
    command = c.CorrectNote(issue_id=issue_id, note_id=note_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)


@router.post(
    "/{issue_id}/notes/{note_id}/withdraw", response_model=Accepted, responses=COMMAND_ERRORS
)
async def withdraw_note(
    issue_id: UUID,
    note_id: UUID,
    body: body_of(c.WithdrawNote, "issue_id", "note_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """WithdrawNote: a note sent by mistake, with the `reason`.

    Records `Issue.NoteWithdrawn`. The note is not erased: the issue view keeps it, marked
    `withdrawn: true`, and the history keeps every version. On the timeline as `note_withdrawn`.
    """
    command = c.WithdrawNote(issue_id=issue_id, note_id=note_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)


@router.post(
    "/{issue_id}/replicate", status_code=201, response_model=Accepted, responses=COMMAND_ERRORS
)
def replicate_issue(
    issue_id: UUID,
    body: body_of(c.ReplicateIssue, "issue_id", "task_force_ids"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    queries: QueriesDep,
    caller: CallerDep,
    response: Response,
) -> Any:
    """ReplicateIssue: a new issue in another locality of the municipality, modelled on this one
    (Söderhamn's Trönö model): its description and category, and each task force's name,
    mandate and member roles, no people. The new issue's view shows `modelled_on`, this one's
    `replicas`. The answer describes the new issue."""
    task_forces = queries.page("task_force", caller, {"issue_id": str(issue_id)}, 500, None)
    ids = [UUID(str(t["id"])) for t in reversed(task_forces.items)]  # in forming order
    command = c.ReplicateIssue(issue_id=issue_id, task_force_ids=ids, **body.model_dump())
    return answer(bus.dispatch(command, ctx), response, location=PATH)  # a sync route: it reads
