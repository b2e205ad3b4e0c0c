"""Follow-ups (bevakning): a date on which an issue is to be followed up, and the list of them."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from application import commands as c
from application.policy import Query as Read
from infrastructure.views.follow_ups import FollowUps
from interfaces.exports.follow_ups_ics import MEDIA_TYPE, follow_ups_calendar
from interfaces.http.commanding import COMMAND_ERRORS, BusDep, ContextDep, body_of, dispatch
from interfaces.http.problems import responses
from interfaces.http.reading import PolicyDep
from interfaces.http.schemas import Accepted
from interfaces.http.security import FeedCallerDep
from interfaces.http.staff_schemas import FollowUpList
from interfaces.privacy import Pseudonyms

router = APIRouter(tags=["follow-ups"])
ISSUE_FOLLOW_UP = "/api/v1/issues/{issue_id}/follow-up"

Code = Annotated[
    str | None, Query(pattern=r"^[0-9]{4}$", description="Only this municipality (kommunkod).")
]


class FollowUpFormat(StrEnum):
    JSON = "json"
    ICS = "ics"


@router.put(ISSUE_FOLLOW_UP, response_model=Accepted, responses=COMMAND_ERRORS)
async def set_follow_up(
    issue_id: UUID,
    body: body_of(c.SetFollowUp, "issue_id"),  # type: ignore[valid-type]
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """SetFollowUp: remind on `due_on` (any date, past ones too); replaces an earlier one.

    Open issues only. Once `due_on` lies before today it is overdue: first in
    `GET /api/v1/follow-ups`, and a warning sign in the person-dependency insight.
    """
    return await dispatch(bus, c.SetFollowUp(issue_id=issue_id, **body.model_dump()), ctx, response)


@router.delete(ISSUE_FOLLOW_UP, response_model=Accepted, responses=COMMAND_ERRORS)
async def clear_follow_up(issue_id: UUID, bus: BusDep, ctx: ContextDep, response: Response) -> Any:
    """ClearFollowUp: the follow-up is done or no longer needed; 409 when there is none."""
    return await dispatch(bus, c.ClearFollowUp(issue_id=issue_id), ctx, response)


@router.get(
    "/api/v1/follow-ups",
    response_model=FollowUpList,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
        **responses(401, 403, 422, 429, 503),
    },
)
def list_follow_ups(
    request: Request,
    caller: FeedCallerDep,
    policy: PolicyDep,
    municipality: Code = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (true) or not.")] = None,
    fmt: Annotated[FollowUpFormat, Query(alias="format")] = FollowUpFormat.JSON,
) -> Any:
    """The follow-ups of open issues by due date, overdue first (due before today, UTC).

    `format=ics` gives one all-day event per follow-up, with a stable UID per issue, so a
    subscribed calendar moves a follow-up when its date changes. Evaluators get no notes and
    pseudonyms instead of user ids.
    """
    policy.authorise_query(caller, Read.VIEW)
    today = datetime.now(UTC).date()
    items = FollowUps(request.app.state.samverkan.events).due(caller, municipality, overdue, today)
    if policy.pseudonymises(caller):
        pseudonyms = Pseudonyms()
        for item in items:
            item["note"] = None
            item["set_by"] = pseudonyms.user(item["set_by"])
            item["responsible_user"] = pseudonyms.user(item["responsible_user"])
    if fmt == FollowUpFormat.ICS:
        return Response(
            follow_ups_calendar(items),
            media_type=MEDIA_TYPE,
            headers={"Cache-Control": "private, no-store"},
        )
    return {"items": items}
