"""Retention (informationshanteringsplan) and the records due for gallring: admins only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from application import commands as c
from application.errors import ForbiddenError
from domain.values import Actor, Category, Role
from infrastructure.views.retention_queries import RetentionQueries
from interfaces.http.commanding import COMMAND_ERRORS, BusDep, ContextDep, dispatch
from interfaces.http.reading import LIST_ERRORS
from interfaces.http.schemas import Accepted
from interfaces.http.security import CallerDep

router = APIRouter(prefix="/api/v1", tags=["personal data"])


class RetentionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep_years: int | None = Field(
        ge=0, le=1000, description="Years a closed record is kept; 0 due at once; null for ever."
    )


class RetentionRule(BaseModel):
    category: Category
    keep_years: int | None


class RetentionRules(BaseModel):
    items: list[RetentionRule]


class DueRecord(BaseModel):
    issue_id: str
    title: str
    category: Category
    closed_on: date
    due_on: date
    record_ids: list[str] = Field(description="The issue, its task forces, decisions, outcomes.")


class DueRecords(BaseModel):
    items: list[DueRecord]
    next_cursor: str | None = Field(None, description="Always null: the whole list at once.")


def _admin_at_home(caller: Actor) -> str:
    if caller.role != Role.ADMIN or caller.is_national:
        raise ForbiddenError(f"The role {caller.role} may not manage retention here.")
    return caller.municipality


@router.put("/retention/{category}", response_model=Accepted, responses=COMMAND_ERRORS)
async def set_retention(
    category: Category,
    body: RetentionBody,
    caller: CallerDep,
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """SetRetention: how many years closed records of `category` are kept in the caller's
    municipality (null: for ever). Recorded as an event on the municipality's retention plan."""
    command = c.SetRetention(
        municipality=_admin_at_home(caller), category=category, keep_years=body.keep_years
    )
    return await dispatch(bus, command, ctx, response)


@router.get("/retention", response_model=RetentionRules, responses=LIST_ERRORS)
def get_retention(caller: CallerDep, request: Request) -> Any:
    """The caller's municipality's retention rules, by category (admins)."""
    rules = RetentionQueries(request.app.state.samverkan.events).rules(_admin_at_home(caller))
    return {"items": [{"category": k, "keep_years": v} for k, v in rules.items()]}


@router.get("/gallring/due", response_model=DueRecords, responses=LIST_ERRORS)
def gallring_due(
    caller: CallerDep,
    request: Request,
    municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
) -> Any:
    """Closed records whose retention has run out, oldest first (admins): each closed issue
    with its task forces, decisions and outcomes, ready for `POST /api/v1/gallring`."""
    home = _admin_at_home(caller)
    if municipality is not None and municipality != home:
        return {"items": [], "next_cursor": None}
    today = datetime.now(UTC).date()
    items = RetentionQueries(request.app.state.samverkan.events).due(home, today)
    return {"items": items, "next_cursor": None}
