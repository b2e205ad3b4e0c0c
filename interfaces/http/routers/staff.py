"""Staff: when someone leaves, their open issues and task force leads move in one command."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from application import commands as c
from application.commands import USER_ID
from infrastructure.insights import handover_counts
from interfaces.http.commanding import COMMAND_ERRORS, BusDep, ContextDep, answer, body_of
from interfaces.http.insight_schemas import HandoverAccepted
from interfaces.http.security import CallerDep

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

UserPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=USER_ID, description="The user who leaves.")
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
    issues, task_forces = handover_counts(request.app.state.samverkan.events, result)
    return {**answer(result, response), "issues_moved": issues, "task_forces_moved": task_forces}
