"""Local plans (Ronneby, Mora): adopt a plan with goals linked to issues; read its progress."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from application import commands as c
from infrastructure.views.plans import goals_with_progress
from interfaces.exports import Language
from interfaces.exports.plan_page import as_csv, as_html
from interfaces.http.commanding import CREATE_ERRORS, BusDep, ContextDep, dispatch
from interfaces.http.locality_schemas import LocalPlanSummary, LocalPlanView
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
from interfaces.http.routers.audit import HISTORY, AuditDep, _history
from interfaces.http.schemas import Accepted, Page
from interfaces.http.security import CallerDep

PATH = "/api/v1/plans"
router = APIRouter(prefix=PATH, tags=["plans"])
Code = Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Municipality code")]


class PlanFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


@router.post("", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
async def adopt_local_plan(
    body: c.AdoptLocalPlan, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """AdoptLocalPlan: every linked issue must be one of the plan's municipality (else 404).
    A goal names each issue once: a repeated id is kept once, so its progress counts the issue
    once."""
    return await dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[LocalPlanSummary], responses=LIST_ERRORS)
def list_plans(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    municipality: Code = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    locality: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    filters = {"municipality": municipality, "year": year, "locality": locality}
    return read_page("local_plan", caller, queries, policy, filters, limit, cursor)


@router.get(
    "/{plan_id}",
    response_model=LocalPlanView,
    responses={
        200: {"content": {"text/csv": {}, "text/html": {}}},
        **READ_ERRORS,
    },
)
def get_plan(
    plan_id: UUID,
    request: Request,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
    fmt: Annotated[PlanFormat, Query(alias="format")] = PlanFormat.JSON,
    lang: Language = Language.SV,
) -> Any:
    """The plan with each goal's issues, their statuses and outcomes (retracted ones left out),
    and the goal's progress. `format=csv`: one row per goal and issue; `format=html`: a
    printable page, Swedish by default (`lang=en`)."""
    view = read_view("local_plan", plan_id, caller, queries, policy, response, version, as_of)
    goals = goals_with_progress(request.app.state.samverkan.events, view)
    headers = {"ETag": response.headers["ETag"], "Cache-Control": "private, no-store"}
    if fmt == PlanFormat.CSV:
        headers["Content-Disposition"] = f'attachment; filename="plan-{plan_id}.csv"'
        return Response(as_csv(goals), media_type="text/csv; charset=utf-8", headers=headers)
    if fmt == PlanFormat.HTML:
        page = as_html(view, goals, str(lang))
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    return {**view, "goals": goals}


@router.get("/{plan_id}/history", **HISTORY)  # type: ignore[arg-type]
def plan_history(
    plan_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The plan's events, oldest first (its adoption), like every record's history: auditors
    and admins, and caseworkers of its municipality."""
    return _history("local_plan", plan_id, caller, audit, policy, limit, cursor)
