"""Insights: person dependency, and the dialogue cycle (årshjul) with its plans per locality."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from icalendar import Calendar, Event

from application import commands as c
from application.commands import TEXT
from application.errors import NotFoundError
from application.policy import Query as Read
from domain.dialogue_plan import RETIRED, dialogue_plan_id
from infrastructure.views.insights import Insights
from interfaces.http.commanding import (
    COMMAND_ERRORS,
    BusDep,
    ContextDep,
    answer,
    body_of,
    dispatch,
    run_command,
)
from interfaces.http.insight_schemas import (
    DialogueCycle,
    DialoguePlanView,
    PersonDependencyReport,
)
from interfaces.http.reading import LIST_ERRORS, READ_ERRORS, PolicyDep, QueriesDep
from interfaces.http.schemas import Accepted
from interfaces.http.security import CallerDep, FeedCallerDep
from interfaces.privacy import Pseudonyms

router = APIRouter()

Municipality = Annotated[
    str | None, Query(pattern=r"^[0-9]{4}$", description="Only this municipality (kommunkod).")
]
Locality = Annotated[str, Path(min_length=1, max_length=200, pattern=TEXT)]


def get_now() -> datetime:
    """The instant the insights are computed for; tests replace it to look into the future."""
    return datetime.now(UTC)


def get_insights(request: Request) -> Insights:
    return Insights(request.app.state.samverkan.events)


NowDep = Annotated[datetime, Depends(get_now)]
InsightsDep = Annotated[Insights, Depends(get_insights)]


@router.get(
    "/api/v1/insights/person-dependency",
    tags=["insights"],
    response_model=PersonDependencyReport,
    responses=LIST_ERRORS,
)
def person_dependency(
    caller: CallerDep,
    policy: PolicyDep,
    insights: InsightsDep,
    now: NowDep,
    municipality: Municipality = None,
) -> Any:
    """Where knowledge and action hang on one person: per open issue and per locality.

    Computed from the event history. Evaluators get pseudonyms instead of user ids and names.
    """
    policy.authorise_query(caller, Read.INSIGHT)
    report = insights.person_dependency(caller, municipality, now)
    if policy.pseudonymises(caller):
        pseudonyms = Pseudonyms.for_reader(caller)
        for row in report["issues"] + report["localities"]:
            _pseudonymise(row, pseudonyms)
    return report


def _pseudonymise(row: dict[str, Any], pseudonyms: Pseudonyms) -> None:
    row["busiest_actor"] = pseudonyms.user(row["busiest_actor"])
    if "responsible_user" in row:
        row["responsible_user"] = pseudonyms.user(row["responsible_user"])
    row["fragile_task_forces"] = [
        {
            **t,
            "lead_display_name": pseudonyms.member(
                str(t["lead_member_id"]), t.get("lead_subject_id")
            ),
            "lead_user": pseudonyms.user(t["lead_user"]),
        }
        for t in row["fragile_task_forces"]
    ]


@router.get(
    "/api/v1/insights/dialogue-cycle",
    tags=["dialogue cycle"],
    response_model=DialogueCycle,
    responses=LIST_ERRORS,
)
def dialogue_cycle(
    caller: CallerDep,
    policy: PolicyDep,
    insights: InsightsDep,
    now: NowDep,
    municipality: Municipality = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (true) or not.")] = None,
) -> Any:
    """Localities with a planned dialogue interval, and whether their next dialogue is overdue."""
    policy.authorise_query(caller, Read.INSIGHT)
    items = insights.dialogue_cycle(caller, municipality, now.date())
    if overdue is not None:
        items = [i for i in items if i["overdue"] == overdue]
    return {"items": items}


@router.get(
    "/api/v1/insights/dialogue-cycle.ics",
    tags=["dialogue cycle"],
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "RFC 5545"},
        **LIST_ERRORS,
    },
)
def dialogue_cycle_calendar(
    caller: FeedCallerDep,
    policy: PolicyDep,
    insights: InsightsDep,
    now: NowDep,
    municipality: Municipality = None,
) -> Response:
    """The planned dialogues as iCalendar: one recurring event per locality, from its next due.

    Calendar apps subscribe with a feed token in the URL (`POST /api/v1/feeds`).
    """
    policy.authorise_query(caller, Read.INSIGHT)
    calendar = Calendar()
    calendar.add("prodid", "-//Samverkan//Årshjul//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Årshjul: planerade dialoger")
    for item in insights.dialogue_cycle(caller, municipality, now.date()):
        calendar.add_component(_planned_dialogue(item, now))
    return Response(calendar.to_ical(), media_type="text/calendar; charset=utf-8")


def _planned_dialogue(item: dict[str, Any], now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{item['plan_id']}@samverkan")
    event.add("dtstamp", now)
    event.add("dtstart", item["next_due_on"])
    event.add("rrule", {"freq": "monthly", "interval": item["every_months"]})
    event.add("summary", f"Dialog i {item['locality']} med {item['partner']}")
    last = item["last_dialogue_on"]
    event.add(
        "description",
        f"Var {item['every_months']}:e månad. Senaste dialog: {last or 'ingen noterad'}."
        + (" Försenad." if item["overdue"] else ""),
    )
    return event


@router.put(
    "/api/v1/localities/{locality}/dialogue-plan",
    tags=["dialogue cycle"],
    response_model=Accepted,
    responses={201: {"description": "The plan was created"}, **COMMAND_ERRORS},
)
async def plan_dialogue(
    locality: Locality,
    body: body_of(c.PlanDialogue, "municipality", "locality"),  # type: ignore[valid-type]
    caller: CallerDep,
    bus: BusDep,
    ctx: ContextDep,
    response: Response,
) -> Any:
    """PlanDialogue: set the locality's dialogue interval in the caller's municipality.

    201 with `Location` when the plan is new, 200 when it replaces the interval.
    """
    command = c.PlanDialogue(
        municipality=bus.policy.home_of(caller), locality=locality, **body.model_dump()
    )
    result = await run_command(bus, command, ctx)
    body_out = answer(result, response)
    if result.version == 1:
        response.status_code = 201
        response.headers["Location"] = (
            f"/api/v1/localities/{quote(locality, safe='')}/dialogue-plan"
        )
    return body_out


@router.get(
    "/api/v1/localities/{locality}/dialogue-plan",
    tags=["dialogue cycle"],
    response_model=DialoguePlanView,
    responses=READ_ERRORS,
)
def get_dialogue_plan(
    locality: Locality,
    caller: CallerDep,
    queries: QueriesDep,
    policy: PolicyDep,
    response: Response,
    municipality: Municipality = None,
) -> Any:
    """A locality's dialogue plan; national readers name the municipality."""
    policy.authorise_query(caller, Read.VIEW)
    home = municipality or caller.municipality
    view = queries.view("dialogue_plan", caller, dialogue_plan_id(home, locality))
    if view["status"] == RETIRED:
        raise NotFoundError(f"No dialogue plan for {locality}.")
    response.headers["ETag"] = f'"{view["version"]}"'
    return view


@router.delete(
    "/api/v1/localities/{locality}/dialogue-plan",
    tags=["dialogue cycle"],
    response_model=Accepted,
    responses=COMMAND_ERRORS,
)
async def retire_dialogue_plan(
    locality: Locality, caller: CallerDep, bus: BusDep, ctx: ContextDep, response: Response
) -> Any:
    """RetireDialoguePlan: the locality's plan leaves the annual cycle, e.g. a misspelt name.

    Records `DialoguePlan.Retired` (the plan's history keeps it). The plan is then gone from
    the dialogue cycle and its view answers 404, as does a second DELETE. Planning the locality
    again later (PUT) brings it back with the new interval. Caseworkers and admins only.
    """
    command = c.RetireDialoguePlan(municipality=bus.policy.home_of(caller), locality=locality)
    return await dispatch(bus, command, ctx, response)
