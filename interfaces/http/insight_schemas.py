"""Response schemas of the insights and staff routes; each flag's rule is in its description."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from infrastructure.views.insights import DIALOGUE_KINDS, STALE_AFTER_DAYS, WINDOW_DAYS
from interfaces.http.schemas import Accepted, Schema

KINDS = ", ".join(str(k) for k in DIALOGUE_KINDS)


class DependencyFlags(Schema):
    """Warning signs that knowledge and action hang on one person."""

    single_person: bool = Field(
        description=f"Raised when every event recorded in the last {WINDOW_DAYS} days (the "
        "window) was recorded by one and the same user. Not raised when the window is empty."
    )
    stale: bool = Field(
        description=f"Raised when nothing at all has been recorded for {STALE_AFTER_DAYS} days: "
        "no event on the issue, its task forces, decisions or outcomes (for a locality: on any "
        "of its issues)."
    )
    orphaned: bool = Field(
        description="Raised when responsibility sits with a user marked as departed by a staff "
        "handover (`POST /api/v1/staff/{user_id}/handover`): the responsible user of an open "
        "issue, or the lead of an active task force. A new handover of that user clears it, "
        "and so does their return (`POST /api/v1/staff/{user_id}/return`)."
    )
    lead_without_backup: bool = Field(
        description="Raised when an active task force's lead has never handed over (no "
        "handover note recorded) and no other member comes from another organisation. Those "
        "task forces are listed in `fragile_task_forces`."
    )
    on_leave: bool = Field(
        description="Raised when responsibility sits with a user recorded as on leave "
        "(`POST /api/v1/staff/{user_id}/leave`), not yet back: the responsible user of an open "
        "issue, or the lead of an active task force. Unlike `orphaned`, the person will return."
    )
    overdue_follow_up: bool = Field(
        description="Raised when an open issue's follow-up (bevakning, `PUT "
        "/api/v1/issues/{id}/follow-up`) fell due before today (UTC) and was neither cleared "
        "nor moved: a reminder nobody acted on (for a locality: on any of its open issues)."
    )
    service_closed_without_dialogue: bool = Field(
        False,
        description="Raised when a service of the locality (in the register) closed and no "
        "dialogue, meeting or site visit has been noted on the locality's issues since its "
        "closing date. A registered locality with such a closing and no issues is listed too.",
    )


class FragileTaskForce(Schema):
    task_force_id: UUID
    issue_id: UUID
    name: str
    lead_member_id: UUID
    lead_display_name: str = Field(description="A pseudonym for evaluators.")
    lead_organisation: str
    lead_user: str | None = Field(description="The lead's user id, if tied to one; pseudonym.")


class ActivityFigures(Schema):
    municipality: str
    locality: str
    events: int = Field(description="Events over the whole history.")
    events_last_90_days: int = Field(description=f"Events in the last {WINDOW_DAYS} days.")
    actors: int = Field(description="Distinct users who recorded an event, whole history.")
    actors_last_90_days: int = Field(description=f"Distinct users in the last {WINDOW_DAYS} days.")
    busiest_actor: str | None = Field(description="The user with the most events; a pseudonym.")
    busiest_actor_share: float = Field(
        ge=0, le=1, description="The busiest user's share of all events, 0 to 1."
    )
    last_activity_at: datetime | None
    last_activity_by_others_at: datetime | None = Field(
        description="The last event by anyone other than the busiest user; null if nobody else."
    )
    flags: DependencyFlags
    fragile_task_forces: list[FragileTaskForce]


class IssueDependency(ActivityFigures):
    issue_id: UUID
    title: str
    responsible_user: str | None = Field(description="A pseudonym for evaluators.")


class LocalityDependency(ActivityFigures):
    open_issues: int = Field(description="Open issues in the locality; figures cover all issues.")


class PersonDependencyReport(Schema):
    """Per open issue and per locality: who carries the work, computed from the event history."""

    generated_at: datetime
    window_days: int
    stale_after_days: int
    issues: list[IssueDependency] = Field(description="Open issues, most flags first.")
    localities: list[LocalityDependency] = Field(description="Localities, most flags first.")


class DialogueDue(Schema):
    """One locality's place in the annual cycle."""

    plan_id: UUID
    municipality: str
    locality: str
    partner: str
    every_months: int
    starts_on: date
    last_dialogue_on: date | None = Field(
        description=f"The latest note of kind {KINDS} on any issue of the locality."
    )
    next_due_on: date = Field(
        description="`starts_on` until a dialogue is noted on or after it; then the latest "
        "dialogue plus `every_months`."
    )
    overdue: bool = Field(description="`next_due_on` lies before today (UTC).")
    days_overdue: int


class DialogueCycle(Schema):
    items: list[DialogueDue]


class DialoguePlanView(Schema):
    id: UUID
    version: int
    municipality: str
    locality: str
    partner: str
    every_months: int
    starts_on: date
    created_at: datetime
    updated_at: datetime


class HandoverAccepted(Accepted):
    """The departed user's staff record, plus what this handover moved."""

    issues_moved: int = Field(description="Open issues whose responsibility moved.")
    task_forces_moved: int = Field(description="Active task forces whose lead moved.")
