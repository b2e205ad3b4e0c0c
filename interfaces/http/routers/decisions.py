"""Decisions (beslut): propose, adopt, reject, revoke, supersede."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as c
from domain.values import DecisionStatus
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
from interfaces.http.schemas import Accepted, DecisionView, Page
from interfaces.http.security import CallerDep

PATH = "/api/v1/decisions"
router = APIRouter(prefix=PATH, tags=["decisions"])


@router.post("", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
async def propose_decision(
    body: c.ProposeDecision, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """ProposeDecision: the task force, if named, must work on the same issue."""
    return await dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[DecisionView], responses=LIST_ERRORS)
def list_decisions(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    issue_id: UUID | None = None,
    status: DecisionStatus | None = None,
    municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = {
        "municipality": municipality,
        "issue_id": issue_id and str(issue_id),
        "status": status,
    }
    return read_page("decision", caller, queries, policy, filters, limit, cursor)


@router.get("/{decision_id}", response_model=DecisionView, responses=READ_ERRORS)
def get_decision(
    decision_id: UUID,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> Any:
    return read_view("decision", decision_id, caller, queries, policy, response, version, as_of)


@router.post("/{decision_id}/adopt", response_model=Accepted, responses=COMMAND_ERRORS)
async def adopt_decision(
    decision_id: UUID,
    body: body_of(c.AdoptDecision, "decision_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AdoptDecision: only a proposed decision."""
    return await dispatch(
        bus, c.AdoptDecision(decision_id=decision_id, **body.model_dump()), ctx, response
    )


@router.post("/{decision_id}/reject", response_model=Accepted, responses=COMMAND_ERRORS)
async def reject_decision(
    decision_id: UUID,
    body: body_of(c.RejectDecision, "decision_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """RejectDecision: only a proposed decision."""
    return await dispatch(
        bus, c.RejectDecision(decision_id=decision_id, **body.model_dump()), ctx, response
    )


@router.post("/{decision_id}/revoke", response_model=Accepted, responses=COMMAND_ERRORS)
async def revoke_decision(
    decision_id: UUID,
    body: body_of(c.RevokeDecision, "decision_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """RevokeDecision: only an adopted decision."""
    return await dispatch(
        bus, c.RevokeDecision(decision_id=decision_id, **body.model_dump()), ctx, response
    )


@router.post("/{decision_id}/supersede", response_model=Accepted, responses=COMMAND_ERRORS)
async def supersede_decision(
    decision_id: UUID,
    body: body_of(c.SupersedeDecision, "decision_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """SupersedeDecision: by another adopted decision on the same issue."""
    command = c.SupersedeDecision(decision_id=decision_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)


@router.post("/{decision_id}/correct", response_model=Accepted, responses=COMMAND_ERRORS)
async def correct_decision(
    decision_id: UUID,
    body: body_of(c.CorrectDecision, "decision_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CorrectDecision: an adopted decision's `decided_on` or `reference`, with a `reason`.

    Only an adopted decision (409 otherwise). Records `Decision.Corrected`; the `Adopted` event
    keeps the first version. On the timeline as `decision_corrected`, dated on the corrected
    `decided_on` where one is given. `decided_on` after today (UTC) is 422.
    """
    command = c.CorrectDecision(decision_id=decision_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)
