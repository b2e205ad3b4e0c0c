"""Staff: a handover when someone leaves (their open issues and task force leads move in one
command), leave and return (also a rehire), and the list of staff records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from application import commands as c
from application.bus import CommandBus
from application.commands import USER_ID
from domain.staff import StaffStatus
from domain.values import Actor
from infrastructure.views.insights import handover_counts
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    BusDep,
    ContextDep,
    answer,
    body_of,
    run_command,
)
from interfaces.http.insight_schemas import HandoverAccepted
from interfaces.http.reading import LIST_ERRORS, Cursor, Limit, PolicyDep, QueriesDep, read_page
from interfaces.http.schemas import Accepted, Page
from interfaces.http.security import CallerDep
from interfaces.http.staff_schemas import StaffMemberView

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

UserPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=USER_ID,
        description="The user, as in their token's `sub`.",
    ),
]


@router.post("/{user_id}/handover", response_model=HandoverAccepted, responses=COMMAND_ERRORS)
def hand_over_responsibilities(
    user_id: UserPath,
    body: body_of(c.HandOverResponsibilities, "municipality", "from_user"),  # type: ignore[valid-type]
    caller: CallerDep,
    bus: BusDep,
    ctx: ContextDep,
    request: Request,
    response: Response,
) -> Any:
    """HandOverResponsibilities: when `user_id` leaves the caller's municipality.

    In one transaction, every open issue the user is responsible for and every active task
    force they lead moves to `to_user`; each moved record gets its own event carrying `note`
    (`ResponsibilityAssigned`, or `LeadHandedOver`, which also brings `to_user` in as a member
    when they were not one yet). The user is marked as departed, so the person-dependency
    insight flags anything attached to them later (`orphaned`); running the handover again moves
    that too.
    Answers 200 with the departed user's staff record (`id`, `version`, `position`) and the
    counts moved. Caseworkers and admins only; `to_user` must not have left.
    """
    try:
        command = c.HandOverResponsibilities(
            municipality=bus.policy.home_of(caller), from_user=user_id, **body.model_dump()
        )
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error
    result = bus.dispatch(command, ctx)
    request.app.state.departed_users.changed()  # this process refuses the token at once
    issues, task_forces = handover_counts(request.app.state.samverkan.events, result)
    return {**answer(result, response), "issues_moved": issues, "task_forces_moved": task_forces}


# Leave and return


def _staff_command(
    command: type[c.StaffCommand], caller: Actor, bus: CommandBus, **fields: Any
) -> c.StaffCommand:
    try:
        return command(municipality=bus.policy.home_of(caller), **fields)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error


@router.post("/{user_id}/leave", response_model=Accepted, responses=COMMAND_ERRORS)
async def start_leave(
    user_id: UserPath,
    body: body_of(c.StartLeave, "municipality", "user_id"),  # type: ignore[valid-type]
    caller: CallerDep,
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """StartLeave: `user_id` goes on leave in the caller's municipality.

    Their token keeps working; the person-dependency insight flags their work `on_leave`.
    A departed user must return first (409), and so must one already on leave. `ends_on`, if
    given, must not lie before `starts_on` (422).
    """
    command = _staff_command(c.StartLeave, caller, bus, user_id=user_id, **body.model_dump())
    return answer(await run_command(bus, command, ctx), response)


@router.post("/{user_id}/return", response_model=Accepted, responses=COMMAND_ERRORS)
def end_leave(
    user_id: UserPath,
    body: body_of(c.EndLeave, "municipality", "user_id"),  # type: ignore[valid-type]
    caller: CallerDep,
    bus: BusDep,
    ctx: ContextDep,
    request: Request,
    response: Response,
) -> Any:
    """EndLeave: `user_id` is back, from leave or rehired after a departure.

    A returned user's token works again, and work can be handed over to them. 409 when the
    user is neither on leave nor departed.
    """
    command = _staff_command(c.EndLeave, caller, bus, user_id=user_id, **body.model_dump())
    result = bus.dispatch(command, ctx)
    request.app.state.departed_users.changed()  # this process accepts the token at once
    return answer(result, response)


@router.get("", response_model=Page[StaffMemberView], responses=LIST_ERRORS)
def list_staff(
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    status: Annotated[StaffStatus | None, Query(description="Only this status.")] = None,
    municipality: Annotated[
        str | None, Query(pattern=r"^[0-9]{4}$", description="Only this municipality.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Staff records of the caller's municipality (national readers: all), newest first.

    A user appears once something was recorded about them: a handover, a leave or a return.
    """
    filters = {"municipality": municipality, "status": status}
    return read_page("staff_member", caller, queries, policy, filters, limit, cursor)
