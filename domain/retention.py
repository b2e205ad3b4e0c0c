"""Retention (the information management plan): how long closed records are kept, per category.

One plan per municipality. A rule gives, for a category, the years a closed record is kept
before it falls due for gallring: 0 means at once, None means for ever (bevaras).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from dateutil.relativedelta import relativedelta

from domain.base import CaseAggregate
from domain.values import Provenance

RETENTION_NAMESPACE = UUID("5f1c2a7e-4b8d-5c3e-9a60-2d7b8e1f4c35")
ACTIVE = "active"


def retention_plan_id(municipality: str) -> UUID:
    """One retention plan per municipality."""
    return uuid5(RETENTION_NAMESPACE, municipality)


def falls_due(closed_on: date, keep_years: int | None) -> date | None:
    """The day a record closed on `closed_on` falls due; None when it is kept for ever."""
    if keep_years is None:
        return None
    due: date = closed_on + relativedelta(years=keep_years)
    return due


class RetentionPlan(CaseAggregate):
    """The municipality's retention rules, by category."""

    class RuleAdopted(CaseAggregate.Created):
        municipality: str
        category: str
        keep_years: int | None

    class RuleSet(CaseAggregate.Event):
        category: str
        keep_years: int | None

        def apply(self, plan: RetentionPlan) -> None:
            plan.rules[self.category] = self.keep_years

    def __init__(self, municipality: str, category: str, keep_years: int | None) -> None:
        self.municipality = municipality
        self.rules: dict[str, int | None] = {category: keep_years}
        self.status = ACTIVE

    @classmethod
    def adopt(
        cls, municipality: str, category: str, keep_years: int | None, by: Provenance
    ) -> RetentionPlan:
        return cls._create(
            cls.RuleAdopted,
            id=retention_plan_id(municipality),
            municipality=municipality,
            category=category,
            keep_years=keep_years,
            **by.event_fields(),
        )

    def set_rule(self, category: str, keep_years: int | None, by: Provenance) -> None:
        self._record(self.RuleSet, by, category=category, keep_years=keep_years)
