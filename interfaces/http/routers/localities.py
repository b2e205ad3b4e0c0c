"""Localities (orter): the register, each locality's services, their opening and closing.

A locality's id is a UUID; `/api/v1/localities/{locality}/dialogue-plan` (in insights.py) takes
a locality's name instead. The two never meet: every route here is either `/{id}` alone, typed
as a UUID, or ends in a segment other than `dialogue-plan`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from application import commands as c
from application.policy import Query as Read
from infrastructure.views.localities import LocalityRegister
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    BusDep,
    ContextDep,
    answer,
    body_of,
    dispatch,
    run_command,
)
from interfaces.http.locality_schemas import LocalityView, ServiceAccepted
from interfaces.http.reading import (
    LIST_ERRORS,
    READ_ERRORS,
    AsOf,
    Cursor,
    Limit,
    PolicyDep,
    QueriesDep,
    Version,
    read_view,
)
from interfaces.http.routers.audit import HISTORY, AuditDep, _history
from interfaces.http.schemas import Accepted, Page
from interfaces.http.security import CallerDep
from interfaces.privacy import Pseudonyms

PATH = "/api/v1/localities"
router = APIRouter(prefix=PATH, tags=["localities"])
Code = Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Municipality code")]


def get_register(request: Request) -> LocalityRegister:
    return LocalityRegister(request.app.state.samverkan.events)


RegisterDep = Annotated[LocalityRegister, Depends(get_register)]


@router.post("", status_code=201, response_model=Accepted, responses=COMMAND_ERRORS)
async def register_locality(
    body: c.RegisterLocality, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """RegisterLocality: one locality per name (case aside) in a municipality; 409 for a second.

    Its id is derived from the municipality and the name, so a locality already named on an
    issue keeps the id the register showed for it; `If-Match` therefore applies (412).
    """
    return await dispatch(bus, body, ctx, response, location=PATH)


@router.get("", response_model=Page[LocalityView], responses=LIST_ERRORS)
def list_localities(
    caller: CallerDep,
    policy: PolicyDep,
    register: RegisterDep,
    municipality: Code = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the name")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Registered localities, and those only named on issues or dialogue plans (no coordinates,
    `registered: false`), newest first."""
    policy.authorise_query(caller, Read.VIEW)
    page = register.page(caller, municipality, q, limit, cursor)
    items = page.items
    if policy.pseudonymises(caller):
        pseudonyms = Pseudonyms.for_reader(caller)
        items = [pseudonyms.view("locality", item) for item in items]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/{locality_id}", response_model=LocalityView, responses=READ_ERRORS)
def get_locality(
    locality_id: UUID,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> Any:
    """A registered locality with its services, now or at `version` / `as_of`."""
    view = read_view("locality", locality_id, caller, queries, policy, response, version, as_of)
    return {**view, "registered": True}


@router.get("/{locality_id}/history", **HISTORY)  # type: ignore[arg-type]
def locality_history(
    locality_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event of the locality and its services, oldest first."""
    return _history("locality", locality_id, caller, audit, policy, limit, cursor)


@router.post("/{locality_id}/services", response_model=ServiceAccepted, responses=COMMAND_ERRORS)
async def record_service(
    locality_id: UUID,
    body: body_of(c.RecordService, "locality_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """RecordService: answers 200 with the new `service_id`. `opened_on` is not after today
    (422): a service counts as open from when it is recorded. Its opening shows on the
    timeline of every issue in the locality (`service_opened`)."""
    command = c.RecordService(locality_id=locality_id, **body.model_dump())
    result = await run_command(bus, command, ctx)
    return {**answer(result, response), "service_id": result.member_id}


@router.post(
    "/{locality_id}/services/{service_id}/close",
    response_model=Accepted,
    responses=COMMAND_ERRORS,
)
async def close_service(
    locality_id: UUID,
    service_id: UUID,
    body: body_of(c.CloseService, "locality_id", "service_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """CloseService: an open service (409 otherwise), not before it opened (409). The closing
    records who, when (`closed_on`, not after today: 422) and why (`reason`); the service stays
    in the locality's record. It shows on the timeline of every issue in the locality
    (`service_closed`, its title the service's name and the reason) and in person dependency;
    evaluators see the reason, and a pseudonym for `closed_by`."""
    command = c.CloseService(locality_id=locality_id, service_id=service_id, **body.model_dump())
    return await dispatch(bus, command, ctx, response)
