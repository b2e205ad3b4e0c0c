"""Commands: one immutable pydantic model for each write in the HTTP contract.

Stateless constraints (lengths, vocabularies, code formats) live here, so one validation error
lists every failing field and the HTTP layer needs no rules of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
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
from domain.locality import locality_id
from domain.retention import retention_plan_id
from domain.staff import staff_member_id
from domain.values import Category, NoteKind, RaisedByKind

# Text holds no NUL and no other C0 control character but tab, line feed and carriage return
# (a database may refuse them, a log line may be forged with them), and is not blank.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
# Blank is spelled out (every character Python's str.isspace counts), not `\s`: JSON Schema's
# ECMA-262 `\s` differs from Python's and Rust's, and the schema must say what the service does.
BLANK = r"\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x1c-\x1f\x09-\x0d"
TEXT = rf"^[^{CONTROL}]*[^{BLANK}{CONTROL}][^{CONTROL}]*$"
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


def _not_after_today(value: date) -> date:
    if value > datetime.now(UTC).date():
        raise ValueError("must not be after today (UTC)")
    return value


# A business date that has happened: a decision, an observation, a dialogue. Built on `Day`.
PastDay = Annotated[
    Day,
    AfterValidator(_not_after_today),
    Field(description="A date (YYYY-MM-DD) not after today (UTC)."),
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


class Confidential(BaseModel):
    """Sekretess: the text is secret under this provision (lagrum) of OSL."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lagrum: ShortText = Field(description='The provision, e.g. "OSL 21 kap. 7 §".')


class AddNote(IssueCommand):
    """Log one exchange in the dialogue with the local community."""

    kind: NoteKind
    text: LongText
    occurred_on: PastDay
    public: bool = False
    confidential: Confidential | None = Field(
        None, description="Secret (sekretess): only caseworkers and admins read the text."
    )


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


class CorrectNote(IssueCommand):
    """Correct a note's text or date, with the reason; the history keeps both versions."""

    note_id: UUID
    text: LongText | None = None
    occurred_on: PastDay | None = None
    reason: LongText

    @model_validator(mode="after")
    def _something_to_correct(self) -> CorrectNote:
        if self.text is None and self.occurred_on is None:
            raise ValueError("name at least one of text, occurred_on")
        return self


class WithdrawNote(IssueCommand):
    """Withdraw a note sent by mistake, with the reason; it stays in the history, marked."""

    note_id: UUID
    reason: LongText


class RegisterIssue(IssueCommand):
    """Give a registration number to an issue opened before numbers were given at opening.

    Not an HTTP route: start-up records it, as the system, for each such issue in opening order.
    """


class SetFollowUp(IssueCommand):
    """Set the issue's follow-up (bevakning): remind the officer on `due_on`, with a note.

    Any date is accepted, past ones too; a follow-up is overdue once its date is before today.
    Setting it again replaces the previous one.
    """

    due_on: Day = Field(description="The day to follow the issue up (YYYY-MM-DD).")
    note: LongText = Field(description="What to follow up, e.g. 'Kolla om butiken fått bidrag'.")


class ClearFollowUp(IssueCommand):
    """Clear the issue's follow-up, once it has been done or is no longer needed."""


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


class ServiceEffect(BaseModel):
    """One effect of a decision on a kind of service in a locality."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    locality: ShortText
    service_kind: Category
    effect: Literal["positive", "negative", "neutral"]
    note: LongText | None = None


class ServiceImpact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    effects: list[ServiceEffect] = Field(min_length=1, max_length=100)


class NoServiceImpact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    none_expected: Literal[True]
    note: LongText


class ProposeDecision(Command):
    """Propose a decision on an issue, optionally prepared by one of its task forces."""

    issue_id: UUID
    title: ShortText
    rationale: LongText
    decision_body: ShortText
    task_force_id: UUID | None = None
    service_impact: ServiceImpact | NoServiceImpact | None = Field(
        None,
        description="Vetlanda's rule: the decision's effects on local services, or "
        '`{"none_expected": true, "note"}`. Adopted decisions without one are listed by '
        "`GET /api/v1/insights/service-impact`.",
    )


class AdoptDecision(DecisionCommand):
    """Record that a proposed decision was adopted."""

    decided_on: PastDay
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


class CorrectDecision(DecisionCommand):
    """Correct an adopted decision's date or reference, with the reason."""

    decided_on: PastDay | None = None
    reference: ShortText | None = None
    reason: LongText

    @model_validator(mode="after")
    def _something_to_correct(self) -> CorrectDecision:
        if self.decided_on is None and self.reference is None:
            raise ValueError("name at least one of decided_on, reference")
        return self


# Outcomes


class RecordOutcome(Command):
    """Record what came of an issue, with indicators."""

    issue_id: UUID
    decision_ids: list[UUID] = Field(max_length=100)
    summary: LongText
    indicators: list[Indicator] = Field(max_length=100)
    observed_on: PastDay

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


class SetRetention(Command):
    """Set how long closed records of a category are kept (information management plan)."""

    municipality: MunicipalityCode
    category: Category
    keep_years: int | None = Field(
        ge=0, le=1000, description="Years a closed record is kept; null keeps it for ever."
    )

    @property
    def target(self) -> UUID | None:
        return retention_plan_id(self.municipality)


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


class RetireDialoguePlan(Command):
    """Take a locality's dialogue plan out of the annual cycle; planning it again revives it."""

    municipality: MunicipalityCode
    locality: ShortText

    @property
    def target(self) -> UUID | None:
        return dialogue_plan_id(self.municipality, self.locality)


class StaffCommand(Command):
    """A command on a user's staff record in one municipality."""

    municipality: MunicipalityCode
    user_id: UserId

    @property
    def target(self) -> UUID | None:
        return staff_member_id(self.municipality, self.user_id)


class StartLeave(StaffCommand):
    """Record that a user goes on leave (tjänstledighet, föräldraledighet, sjukskrivning).

    The person-dependency insight then flags work held by them as `on_leave`, not `orphaned`.
    A departed user must return first.
    """

    starts_on: Day = Field(description="The first day of the leave (YYYY-MM-DD).")
    ends_on: Day | None = Field(None, description="The expected last day, if known.")
    note: LongText = Field(description="Who covers, and where the work is described.")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> StartLeave:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not lie before starts_on")
        return self


class EndLeave(StaffCommand):
    """Record that a user is back: from leave, or rehired after a departure.

    A returned user's token works again, and work can be handed over to them.
    """

    note: LongText


# Localities and their services (ort)

LocalityKind = Literal["tatort", "smaort", "by"]


class LocalityCommand(Command):
    locality_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.locality_id


class RegisterLocality(Command):
    """Register a locality with its coordinates; one per name in a municipality."""

    municipality: MunicipalityCode
    name: ShortText
    kind: LocalityKind | None = Field(None, description="tatort, smaort or by (village).")
    population: int | None = Field(None, ge=0, le=10_000_000, strict=True)
    latitude: float = Field(ge=-90, le=90, strict=True, description="WGS 84 degrees north.")
    longitude: float = Field(ge=-180, le=180, strict=True, description="WGS 84 degrees east.")

    @property
    def target(self) -> UUID | None:
        return locality_id(self.municipality, self.name)


class RecordService(LocalityCommand):
    """Record a service in a locality (a grocery, fuel, a parcel point...); answers `service_id`.
    A service counts as open from when it is recorded, so `opened_on` is not after today: a
    shop that opens next month is recorded when it opens."""

    kind: Category
    name: ShortText
    operator: ShortText | None = None
    opened_on: PastDay | None = None


class CloseService(LocalityCommand):
    """Close a locality's open service: when and why. A closing is history, never a deletion.
    `closed_on` is not after today: a closing counts at once (service access, person
    dependency), so an announced closing is recorded on the day the service closes."""

    service_id: UUID
    closed_on: PastDay
    reason: LongText


# Replicating a model (Söderhamn's Trönö)


class ReplicateIssue(IssueCommand):
    """Open an issue in another locality, modelled on this one (description, category, and
    each task force's name, mandate and member roles; no people). Provenance on both sides."""

    locality: ShortText
    title: ShortText | None = None
    task_force_ids: list[UUID] = Field(
        default_factory=list, max_length=1000, description="The model's task forces (internal)."
    )


# Local plans (lokal utvecklingsplan)


class PlanGoal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    text: LongText
    issue_ids: list[UUID] = Field(
        max_length=100,
        description="Issues of the plan's municipality that carry the goal; a repeated id is "
        "kept once, so the goal's progress counts each issue once.",
    )


class AdoptLocalPlan(Command):
    """Adopt a local development plan (or annual action plan) for a locality or the whole
    municipality and a year; each goal links the issues that carry it."""

    municipality: MunicipalityCode
    locality: ShortText | None = None
    year: int = Field(ge=1900, le=2100)
    title: ShortText
    goals: list[PlanGoal] = Field(min_length=1, max_length=100)


# Units and contacts (Falun)

EMAIL_TEXT = r"^[^@\s]{1,100}@[^@\s]{1,100}$"
PHONE_TEXT = r"^\+?[0-9][0-9 \-]{4,30}$"


class RegisterUnit(Command):
    """Register a unit (förvaltning or enhet) and the categories it answers for."""

    municipality: MunicipalityCode
    name: ShortText
    categories: list[Category] = Field(max_length=20)


class AddContact(Command):
    """Add a contact person to a unit. Personal data: `display_name`, `email`, `phone`."""

    unit_id: UUID
    display_name: ShortText
    role: ShortText
    email: Annotated[str, StringConstraints(pattern=EMAIL_TEXT)] | None = None
    phone: Annotated[str, StringConstraints(pattern=PHONE_TEXT)] | None = None

    @property
    def target(self) -> UUID | None:
        return self.unit_id
