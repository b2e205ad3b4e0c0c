"""Units and their contact persons (Falun): whom do I call about fuel in Gårdby?

Contacts are personal data: only caseworkers and admins of the municipality read them.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from application import commands as c
from application.policy import Query as Read
from domain.values import Category
from infrastructure.views.contacts import contacts_for
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    CREATE_ERRORS,
    BusDep,
    ContextDep,
    answer,
    body_of,
    dispatch,
    run_command,
)
from interfaces.http.reading import LIST_ERRORS, PolicyDep
from interfaces.http.schemas import Accepted, Schema
from interfaces.http.security import CallerDep

router = APIRouter(tags=["contacts"])
Code = Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Municipality code")]


class ContactAccepted(Accepted):
    contact_id: UUID


class Contact(Schema):
    unit_id: UUID
    unit: str = Field(description="The unit's name.")
    categories: list[Category]
    contact_id: UUID
    display_name: str
    role: str
    email: str | None
    phone: str | None


class Contacts(Schema):
    items: list[Contact]


@router.post("/api/v1/units", status_code=201, response_model=Accepted, responses=CREATE_ERRORS)
async def register_unit(
    body: c.RegisterUnit, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """RegisterUnit: a department or unit and the categories it answers for."""
    return await dispatch(bus, body, ctx, response, location="/api/v1/units")


@router.post(
    "/api/v1/units/{unit_id}/contacts", response_model=ContactAccepted, responses=COMMAND_ERRORS
)
async def add_contact(
    unit_id: UUID,
    body: body_of(c.AddContact, "unit_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """AddContact: answers 200 with the new `contact_id`. `display_name`, `email` and `phone`
    are personal data (event `Unit.ContactAdded`)."""
    result = await run_command(bus, c.AddContact(unit_id=unit_id, **body.model_dump()), ctx)
    return {**answer(result, response), "contact_id": result.member_id}


@router.get("/api/v1/contacts", response_model=Contacts, responses=LIST_ERRORS)
def list_contacts(
    request: Request,
    caller: CallerDep,
    policy: PolicyDep,
    municipality: Code = None,
    category: Annotated[Category | None, Query(description="Units answering for it.")] = None,
) -> Any:
    """Whom to contact about a category: caseworkers and admins of the municipality only (403
    for other roles); another municipality's contacts are never listed."""
    policy.authorise_query(caller, Read.CONTACTS)
    events = request.app.state.samverkan.events
    return {"items": contacts_for(events, caller, municipality, category)}
