"""Response schemas of the staff list and the follow-up list (bevakningslista)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from domain.staff import StaffStatus
from interfaces.http.schemas import Schema


class StaffMemberView(Schema):
    """A user's staff record in one municipality; users never recorded are simply active."""

    id: UUID
    version: int
    municipality: str
    user_id: str = Field(description="A pseudonym for evaluators.")
    status: StaffStatus = Field(
        description="`departed` after a handover, `on_leave` after a leave, `active` after a "
        "return (from leave, or a rehire after a departure)."
    )
    handed_over_to: str | None = Field(
        description="Who took the work at the latest handover; a pseudonym for evaluators."
    )
    leave_starts_on: date | None = Field(description="The current leave's first day.")
    leave_ends_on: date | None = Field(description="The current leave's expected last day.")
    created_at: datetime
    updated_at: datetime


class FollowUpDue(Schema):
    """One open issue's follow-up (bevakning)."""

    issue_id: UUID
    municipality: str
    locality: str
    title: str
    due_on: date
    note: str | None = Field(description="Null for evaluators: the note is internal.")
    responsible_user: str | None = Field(description="A pseudonym for evaluators.")
    set_by: str = Field(description="Who set the follow-up; a pseudonym for evaluators.")
    set_at: datetime
    overdue: bool = Field(description="`due_on` lies before today (UTC).")
    days_overdue: int


class FollowUpList(Schema):
    items: list[FollowUpDue] = Field(description="By due date: the overdue ones come first.")
