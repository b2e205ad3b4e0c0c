"""Commands: one immutable pydantic model for each write in the HTTP contract.

Stateless constraints (lengths, vocabularies, code formats) live here, so one validation error
lists every failing field and the HTTP layer needs no rules of its own.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from domain.dialogue_plan import dialogue_plan_id
from domain.staff import staff_member_id
from domain.values import Category, NoteKind, RaisedByKind

# Text holds no NUL and no other C0 control character but tab, line feed and carriage return
# (a database may refuse them, a log line may be forged with them), and is not blank.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
TEXT = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=TEXT)]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
USER_ID = r"^[A-Za-z0-9._@-]{1,64}$"
UserId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=USER_ID)]
DECIMAL_TEXT = r"^[+-]?[0-9]{1,20}(\.[0-9]{1,10})?$"
# Business dates lie in 1900-2100: nothing the municipality records is older or later, and
# date arithmetic on them (deadlines, dialogue intervals) can never overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
DATE_TEXT = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _decimal_input(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, str) and not re.match(DECIMAL_TEXT, value)):
        raise ValueError("write a decimal number, such as 12.5")
    return value


def _date_input(value: Any) -> Any:
    # pydantic would read a number as a Unix timestamp; the contract says dates are YYYY-MM-DD.
    if isinstance(value, str) and re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value):
        return value
    if not isinstance(value, date):
        raise ValueError("write a date as YYYY-MM-DD")
    return value


def _within_bounds(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a date lies between {FIRST_DAY} and {LAST_DAY}")
    return value


FiniteDecimal = Annotated[
    Decimal,
    BeforeValidator(_decimal_input),
    Field(allow_inf_nan=False),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_TEXT}]}),
]
Day = Annotated[
    date,
    BeforeValidator(_date_input),
    AfterValidator(_within_bounds),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_TEXT}),
]


class Command(BaseModel):
    """A request to change one record. `target` names the record it changes, if it exists."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def target(self) -> UUID | None:
        return None


class RaisedBy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    organisation: ShortText
    kind: RaisedByKind


class Person(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    display_name: ShortText
    organisation: ShortText
    role: ShortText
    user_id: UserId | None = Field(None, description="Ties the member to a user, for handovers.")


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ShortText
    value: FiniteDecimal
    unit: ShortText
    baseline: FiniteDecimal | None = None
    target: FiniteDecimal | None = None


def _unique_indicator_names(indicators: list[Indicator] | None) -> None:
    names = [i.name for i in indicators or []]
    if len(names) != len(set(names)):
        raise ValueError("indicator names must be unique within one outcome")


class IssueCommand(Command):
    issue_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.issue_id


class TaskForceCommand(Command):
    task_force_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.task_force_id


class DecisionCommand(Command):
    decision_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.decision_id


class OutcomeCommand(Command):
    outcome_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.outcome_id


# Issues


class OpenIssue(Command):
    """Open an issue raised by or with a local community."""

    municipality: MunicipalityCode
    locality: ShortText
    title: ShortText
    description: LongText
    category: Category
    raised_by: RaisedBy


class EditIssue(IssueCommand):
    """Change an open issue's title, description, locality or category."""

    title: ShortText | None = None
    description: LongText | None = None
    locality: ShortText | None = None
    category: Category | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> EditIssue:
        if not self.changes():
            raise ValueError("name at least one of title, description, locality, category")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"issue_id"}, exclude_none=True, mode="json")


class AssignResponsibility(IssueCommand):
    """Give an issue to a unit and role first, and optionally to a person."""

    unit: ShortText
    role: ShortText
    user_id: UserId | None = None


class AddNote(IssueCommand):
    """Log one exchange in the dialogue with the local community."""

    kind: NoteKind
    text: LongText
    occurred_on: Day
    public: bool = False


class SplitIssue(IssueCommand):
    """Split a smaller question off an open issue as a child issue."""

    title: ShortText
    description: LongText
    category: Category | None = None


class ResolveIssue(IssueCommand):
    """Mark an issue resolved, with a summary of how."""

    summary: LongText


class CloseIssue(IssueCommand):
    """Withdraw an issue, with the reason."""

    reason: LongText


class ReopenIssue(IssueCommand):
    """Open a resolved or closed issue again, with the reason."""

    reason: LongText


# Task forces


class FormTaskForce(Command):
    """Form a time-boxed task force for an open issue; the lead becomes its first member."""

    issue_id: UUID
    name: ShortText
    mandate: LongText
    due_on: Day
    lead: Person


class AddMember(TaskForceCommand, Person):
    """Add a member to an active task force."""


class RemoveMember(TaskForceCommand):
    """Remove a member who is not the lead."""

    member_id: UUID


class HandOverLead(TaskForceCommand):
    """Pass the lead to another member; the note carries the knowledge across."""

    to_member_id: UUID
    note: LongText


class ExtendMandate(TaskForceCommand):
    """Move a task force's deadline later, with the reason."""

    due_on: Day
    reason: LongText


class ReportProgress(TaskForceCommand):
    """Log progress on an active task force."""

    text: LongText


class CompleteTaskForce(TaskForceCommand):
    """Finish a task force's work, with a summary."""

    summary: LongText


class DisbandTaskForce(TaskForceCommand):
    """Stop a task force before its work is done, with the reason."""

    reason: LongText


# Decisions


class ProposeDecision(Command):
    """Propose a decision on an issue, optionally prepared by one of its task forces."""

    issue_id: UUID
    title: ShortText
    rationale: LongText
    decision_body: ShortText
    task_force_id: UUID | None = None


class AdoptDecision(DecisionCommand):
    """Record that a proposed decision was adopted."""

    decided_on: Day
    reference: ShortText | None = None


class RejectDecision(DecisionCommand):
    """Record that a proposed decision was rejected."""

    reason: LongText


class RevokeDecision(DecisionCommand):
    """Revoke an adopted decision."""

    reason: LongText


class SupersedeDecision(DecisionCommand):
    """Replace an adopted decision with another adopted decision on the same issue."""

    by_decision_id: UUID


# Outcomes


class RecordOutcome(Command):
    """Record what came of an issue, with indicators."""

    issue_id: UUID
    decision_ids: list[UUID] = Field(max_length=100)
    summary: LongText
    indicators: list[Indicator] = Field(max_length=100)
    observed_on: Day

    @model_validator(mode="after")
    def _unique_names(self) -> RecordOutcome:
        _unique_indicator_names(self.indicators)
        return self


class VerifyOutcome(OutcomeCommand):
    """Confirm an outcome; the verifier must not be its recorder or last corrector."""

    note: LongText | None = None


class CorrectOutcome(OutcomeCommand):
    """Correct an outcome's summary or indicators, with the reason."""

    summary: LongText | None = None
    indicators: list[Indicator] | None = Field(default=None, max_length=100)
    reason: LongText

    @model_validator(mode="after")
    def _unique_names(self) -> CorrectOutcome:
        _unique_indicator_names(self.indicators)
        return self


class RetractOutcome(OutcomeCommand):
    """Withdraw an outcome; it then accepts no changes."""

    reason: LongText


# Staff and the dialogue cycle


class HandOverResponsibilities(Command):
    """When someone leaves: move every open issue and task force lead they hold, in one go.

    Each moved record gets its own event carrying the shared note; the departed user is
    marked, so the insights flag anything still attached to them later.
    """

    municipality: MunicipalityCode
    from_user: UserId
    to_user: UserId
    note: LongText

    @model_validator(mode="after")
    def _to_someone_else(self) -> HandOverResponsibilities:
        if self.from_user == self.to_user:
            raise ValueError("to_user must differ from the user who leaves")
        return self

    @property
    def target(self) -> UUID | None:
        return staff_member_id(self.municipality, self.from_user)


class PlanDialogue(Command):
    """Plan a locality's dialogue interval (årshjul), e.g. every 4 months with the village."""

    municipality: MunicipalityCode
    locality: ShortText
    every_months: int = Field(ge=1, le=24, description="Months between planned dialogues.")
    partner: ShortText = Field(description="Who the dialogue is with, e.g. a village association.")
    starts_on: Day | None = Field(
        None, description="The first planned dialogue (YYYY-MM-DD); default today."
    )

    @property
    def target(self) -> UUID | None:
        return dialogue_plan_id(self.municipality, self.locality)
