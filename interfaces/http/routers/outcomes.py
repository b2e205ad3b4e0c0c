"""Outcomes (utfall): record, verify (four eyes), correct, retract."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as c
from domain.values import OutcomeStatus
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
    Version,
    read_page,
    read_view,
)
from interfaces.http.schemas import Accepted, OutcomeView, Page
from interfaces.http.security import CallerDep

PATH = "/api/v1/outcomes"
router = APIRouter(prefix=PATH, tags=["outcomes"])


@router.post("", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
async def record_outcome(
    body: c.RecordOutcome, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """RecordOutcome: every decision id must name a decision of the same issue."""
    return await dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[OutcomeView], responses=LIST_ERRORS)
def list_outcomes(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    issue_id: UUID | None = None,
    status: OutcomeStatus | None = None,
    municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = {
        "municipality": municipality,
        "issue_id": issue_id and str(issue_id),
        "status": status,
    }
    return read_page("outcome", caller, queries, policy, filters, limit, cursor)


@router.get("/{outcome_id}", response_model=OutcomeView, responses=READ_ERRORS)
def get_outcome(
    outcome_id: UUID,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> Any:
    return read_view("outcome", outcome_id, caller, queries, policy, response, version, as_of)


@router.post("/{outcome_id}/verify", response_model=Accepted, responses=COMMAND_ERRORS)
async def verify_outcome(
    outcome_id: UUID,
    body: body_of(c.VerifyOutcome, "outcome_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """VerifyOutcome: never by whoever recorded or last corrected it."""
    return await dispatch(
        bus, c.VerifyOutcome(outcome_id=outcome_id, **body.model_dump()), ctx, response
    )


@router.post("/{outcome_id}/correct", response_model=Accepted, responses=COMMAND_ERRORS)
async def correct_outcome(
    outcome_id: UUID,
    body: body_of(c.CorrectOutcome, "outcome_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CorrectOutcome: returns the outcome to `recorded`."""
    command = c.CorrectOutcome(outcome_id=outcome_id, **body.model_dump(exclude_unset=True))
    return await dispatch(bus, command, ctx, response)


@router.post("/{outcome_id}/retract", response_model=Accepted, responses=COMMAND_ERRORS)
async def retract_outcome(
    outcome_id: UUID,
    body: body_of(c.RetractOutcome, "outcome_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """RetractOutcome: it then accepts no changes."""
    return await dispatch(
        bus, c.RetractOutcome(outcome_id=outcome_id, **body.model_dump()), ctx, response
    )
