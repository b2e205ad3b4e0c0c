"""Task forces (insatsstyrkor): form, staff, hand over, extend, report, complete, disband."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as c
from domain.values import TaskForceStatus
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
from interfaces.http.schemas import Accepted, MemberAccepted, Page, TaskForceSummary, TaskForceView
from interfaces.http.security import CallerDep

PATH = "/api/v1/task-forces"
router = APIRouter(prefix=PATH, tags=["task forces"])


@router.post("", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
async def form_task_force(
    body: c.FormTaskForce, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """FormTaskForce: the lead becomes the first member; the deadline lies after today."""
    return await dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[TaskForceSummary], responses=LIST_ERRORS)
def list_task_forces(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    issue_id: UUID | None = None,
    status: TaskForceStatus | None = None,
    municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    overdue: Annotated[bool | None, Query(description="Active with due_on before today")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = {
        "municipality": municipality,
        "issue_id": issue_id and str(issue_id),
        "status": status,
    }
    return read_page("task_force", caller, queries, policy, filters, limit, cursor, overdue=overdue)


@router.get("/{task_force_id}", response_model=TaskForceView, responses=READ_ERRORS)
def get_task_force(
    task_force_id: UUID,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> Any:
    return read_view("task_force", task_force_id, caller, queries, policy, response, version, as_of)


@router.post("/{task_force_id}/members", response_model=MemberAccepted, responses=COMMAND_ERRORS)
async def add_member(
    task_force_id: UUID,
    body: body_of(c.AddMember, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AddMember: answers 200 with the new `member_id`."""
    return await dispatch(
        bus, c.AddMember(task_force_id=task_force_id, **body.model_dump()), ctx, response
    )


@router.delete(
    "/{task_force_id}/members/{member_id}", response_model=Accepted, responses=COMMAND_ERRORS
)
async def remove_member(
    task_force_id: UUID, member_id: UUID, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """RemoveMember: the lead must hand over first."""
    command = c.RemoveMember(task_force_id=task_force_id, member_id=member_id)
    return await dispatch(bus, command, ctx, response)


@router.post("/{task_force_id}/handover", response_model=Accepted, responses=COMMAND_ERRORS)
async def hand_over_lead(
    task_force_id: UUID,
    body: body_of(c.HandOverLead, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """HandOverLead: to another member, with a note that carries the knowledge."""
    return await dispatch(
        bus, c.HandOverLead(task_force_id=task_force_id, **body.model_dump()), ctx, response
    )


@router.post("/{task_force_id}/extend", response_model=Accepted, responses=COMMAND_ERRORS)
async def extend_mandate(
    task_force_id: UUID,
    body: body_of(c.ExtendMandate, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ExtendMandate: a later deadline, with the reason."""
    return await dispatch(
        bus, c.ExtendMandate(task_force_id=task_force_id, **body.model_dump()), ctx, response
    )


@router.post("/{task_force_id}/progress", response_model=Accepted, responses=COMMAND_ERRORS)
async def report_progress(
    task_force_id: UUID,
    body: body_of(c.ReportProgress, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """ReportProgress."""
    return await dispatch(
        bus, c.ReportProgress(task_force_id=task_force_id, **body.model_dump()), ctx, response
    )


@router.post("/{task_force_id}/complete", response_model=Accepted, responses=COMMAND_ERRORS)
async def complete_task_force(
    task_force_id: UUID,
    body: body_of(c.CompleteTaskForce, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CompleteTaskForce."""
    command = c.CompleteTaskForce(task_force_id=task_force_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)


@router.post("/{task_force_id}/disband", response_model=Accepted, responses=COMMAND_ERRORS)
async def disband_task_force(
    task_force_id: UUID,
    body: body_of(c.DisbandTaskForce, "task_force_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """DisbandTaskForce."""
    command = c.DisbandTaskForce(task_force_id=task_force_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)
