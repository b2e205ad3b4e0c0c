"""Response schemas of the locality register and the service insights."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from domain.values import Category
from interfaces.http.schemas import Accepted, Schema


class ServiceAccepted(Accepted):
    service_id: UUID = Field(description="The new service, for closing it later.")


class Service(Schema):
    service_id: UUID
    kind: Category
    name: str
    operator: str | None
    opened_on: date | None
    closed_on: date | None
    closed_reason: str | None = Field(None, description="Why it closed.")
    closed_by: str | None = Field(
        None, description="The user who recorded the closing; a pseudonym for evaluators."
    )
    status: Literal["open", "closed"]


class LocalityView(Schema):
    id: UUID
    version: int = Field(description="0 for a locality only named on an issue or a plan.")
    municipality: str
    name: str
    kind: Literal["tatort", "smaort", "by"] | None
    population: int | None
    latitude: float | None = Field(description="Null until the locality is registered.")
    longitude: float | None
    services: list[Service] = Field(description="Open and closed, in recording order.")
    status: Literal["registered", "unregistered"]
    registered: bool = Field(True, description="False: only named on an issue or a plan.")
    created_at: datetime | None
    updated_at: datetime | None


class NearestService(Schema):
    locality_id: UUID
    name: str = Field(description="The locality where the nearest open service is.")
    service_name: str
    km: float = Field(description="Great-circle distance; 0 when the locality has its own.")


class ServiceAccess(Schema):
    locality_id: UUID
    name: str
    latitude: float
    longitude: float
    nearest: NearestService | None = Field(description="Null when no open service of the kind.")
    beyond: bool = Field(description="Nearest farther than `beyond_km`, or none at all.")


class ServiceAccessReport(Schema):
    kind: Category
    beyond_km: float
    items: list[ServiceAccess]


class UnassessedDecision(Schema):
    decision_id: UUID
    issue_id: UUID
    municipality: str
    locality: str
    title: str
    decision_body: str
    reference: str | None
    decided_on: date | None


class ServiceImpactReport(Schema):
    items: list[UnassessedDecision] = Field(description="Oldest decided first.")


class PlanGoal(Schema):
    text: str
    issue_ids: list[UUID]


class LocalPlanSummary(Schema):
    id: UUID
    version: int
    municipality: str
    locality: str | None = Field(description="Null: a plan for the whole municipality.")
    year: int
    title: str
    goals: list[PlanGoal]
    status: Literal["adopted"]
    created_at: datetime
    updated_at: datetime


class PlanOutcome(Schema):
    outcome_id: UUID
    status: str
    summary: str
    observed_on: date


class PlanIssue(Schema):
    issue_id: UUID
    title: str
    locality: str
    status: str
    outcomes: list[PlanOutcome]


class GoalProgress(Schema):
    issues: int
    resolved: int
    open: int
    closed: int
    with_outcomes: int
    verified_outcomes: int


class GoalView(Schema):
    number: int
    text: str
    issues: list[PlanIssue]
    progress: GoalProgress


class LocalPlanView(LocalPlanSummary):
    goals: list[GoalView]  # type: ignore[assignment]


class IndicatorPoint(Schema):
    observed_on: date
    value: str = Field(description="A decimal, as recorded.")
    outcome_id: UUID
    issue_id: UUID
    status: Literal["recorded", "verified"]


class IndicatorSeries(Schema):
    municipality: str
    locality: str
    name: str
    unit: str
    baseline: str | None = Field(description="From the latest outcome that states one.")
    target: str | None
    points: list[IndicatorPoint] = Field(description="Oldest observation first.")


class IndicatorReport(Schema):
    items: list[IndicatorSeries]
