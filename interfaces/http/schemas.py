"""Response schemas: what every view and list looks like, as documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.values import (
    Category,
    DecisionStatus,
    IssueStatus,
    NoteKind,
    OutcomeStatus,
    RaisedByKind,
    TaskForceStatus,
)

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Problem(Schema):
    """An RFC 9457 problem: every error this service returns."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(None, description="On 422: one entry per field.")


class Accepted(Schema):
    """A command's answer: the record, its version after the command, the log position."""

    id: UUID
    version: int
    position: int


class MemberAccepted(Accepted):
    member_id: UUID


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )


class RaisedBy(Schema):
    organisation: str
    kind: RaisedByKind


class Responsibility(Schema):
    unit: str
    role: str
    user_id: str | None = None


class Note(Schema):
    kind: NoteKind
    text: str
    occurred_on: date
    public: bool
    lagrum: str | None = Field(
        None,
        description='Sekretess: the text reads "[sekretess]" to all but caseworkers and '
        "admins of the municipality.",
    )
    recorded_by: str
    recorded_at: datetime
    note_id: UUID = Field(description="Names the note for CorrectNote and WithdrawNote.")
    corrected: bool = Field(
        False, description="Corrected since it was added: `text` and `occurred_on` are current."
    )
    withdrawn: bool = Field(
        False, description="Withdrawn: kept in the log and the history, marked, never erased."
    )


class Record(Schema):
    id: UUID
    version: int
    municipality: str
    created_at: datetime
    updated_at: datetime


class IssueSummary(Record):
    locality: str
    title: str
    description: str
    category: Category
    raised_by: RaisedBy
    status: IssueStatus
    responsibility: Responsibility | None
    parent_id: UUID | None
    child_ids: list[UUID]
    registration_number: str | None = Field(
        None,
        description="Diarienummer, e.g. 2462-2026/0017: municipality, year, serial from 1.",
        examples=["2462-2026/0017"],
    )
    modelled_on: dict[str, Any] | None = Field(
        None,
        description="A replica's model: `issue_id, locality, title, task_forces[{name, mandate, "
        "member_roles}]`.",
    )
    replicas: list[dict[str, str]] = Field(
        default_factory=list, description="Issues modelled on this one: `{issue_id, locality}`."
    )


class FollowUpOnIssue(Schema):
    """The issue's follow-up (bevakning), as set by `PUT /api/v1/issues/{id}/follow-up`."""

    due_on: date
    note: str | None = Field(description="Null for evaluators: the note is internal.")
    set_by: str | None = Field(description="A pseudonym for evaluators.")
    set_at: datetime


class IssueView(IssueSummary):
    notes: list[Note] = Field(description="The dialogue log, oldest first.")
    follow_up: FollowUpOnIssue | None = Field(
        None, description="The follow-up (bevakning), if one is set; as of the version shown."
    )


class Member(Schema):
    member_id: UUID
    display_name: str
    organisation: str
    role: str
    user_id: str | None = Field(None, description="The member's user, if tied to one.")
    subject_id: str | None = Field(
        None, description="The person (data subject); absent for members recorded before."
    )


class Progress(Schema):
    text: str
    recorded_by: str
    recorded_at: datetime


class TaskForceSummary(Record):
    issue_id: UUID
    name: str
    mandate: str
    due_on: date
    status: TaskForceStatus
    overdue: bool = Field(description="Active, with its due date before today (UTC).")
    lead: UUID
    members: list[Member] = Field(description="In joining order.")


class TaskForceView(TaskForceSummary):
    progress: list[Progress]


class DecisionView(Record):
    issue_id: UUID
    task_force_id: UUID | None
    title: str
    rationale: str
    decision_body: str
    reference: str | None
    decided_on: date | None
    status: DecisionStatus
    superseded_by: UUID | None
    service_impact: dict[str, Any] | None = Field(
        None, description="Effects on local services, or none expected; null: not assessed."
    )


class Indicator(Schema):
    name: str
    value: Decimal
    unit: str
    baseline: Decimal | None = None
    target: Decimal | None = None


class OutcomeView(Record):
    issue_id: UUID
    decision_ids: list[UUID]
    summary: str
    indicators: list[Indicator]
    observed_on: date
    status: OutcomeStatus
    recorded_by: str
    last_corrected_by: str | None
