"""DialoguePlan: a locality's planned dialogue interval, its place in the annual cycle (årshjul).

For example "every 4 months with the village association". Whether a dialogue is overdue is
derived from the dialogue notes on the locality's issues; the plan only says how often.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from dateutil.relativedelta import relativedelta

from domain.base import CaseAggregate, require_text
from domain.values import Provenance

PLAN_NAMESPACE = UUID("0b8e7d52-93c4-5a6f-8d21-7e4c1f0a3b92")
ACTIVE = "active"


def dialogue_plan_id(municipality: str, locality: str) -> UUID:
    """One plan per locality of a municipality."""
    return uuid5(PLAN_NAMESPACE, f"{municipality}:{locality}")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it is shorter.

    A date stored before dates were bounded (say 9999-12-15) cannot overflow a read: past the
    last representable day, the answer is that day.
    """
    try:
        later: date = day + relativedelta(months=months)
        return later
    except (OverflowError, ValueError):
        return date.max


def next_dialogue_due(starts_on: date, every_months: int, last_dialogue_on: date | None) -> date:
    """Due on the plan's first day, then one interval after the latest dialogue."""
    if last_dialogue_on is None or last_dialogue_on < starts_on:
        return starts_on
    return add_months(last_dialogue_on, every_months)


class DialoguePlan(CaseAggregate):
    """How often the municipality plans to meet a locality's partner; `starts_on` is the first."""

    class Planned(CaseAggregate.Created):
        municipality: str
        locality: str
        every_months: int
        partner: str
        starts_on: date

    class Replanned(CaseAggregate.Event):
        every_months: int
        partner: str
        starts_on: date

        def apply(self, plan: DialoguePlan) -> None:
            plan.every_months = self.every_months
            plan.partner = self.partner
            plan.starts_on = self.starts_on

    def __init__(
        self, municipality: str, locality: str, every_months: int, partner: str, starts_on: date
    ) -> None:
        self.municipality = municipality
        self.locality = locality
        self.every_months = every_months
        self.partner = partner
        self.starts_on = starts_on
        self.status = ACTIVE

    @classmethod
    def plan(
        cls,
        *,
        municipality: str,
        locality: str,
        every_months: int,
        partner: str,
        starts_on: date,
        by: Provenance,
    ) -> DialoguePlan:
        _require_interval(every_months)
        return cls._create(
            cls.Planned,
            id=dialogue_plan_id(municipality, locality),
            municipality=municipality,
            locality=require_text(locality, "The locality"),
            every_months=every_months,
            partner=require_text(partner, "The partner"),
            starts_on=starts_on,
            **by.event_fields(),
        )

    def replan(self, every_months: int, partner: str, starts_on: date, by: Provenance) -> None:
        _require_interval(every_months)
        self._record(
            self.Replanned,
            by,
            every_months=every_months,
            partner=require_text(partner, "The partner"),
            starts_on=starts_on,
        )

    def next_due(self, last_dialogue_on: date | None) -> date:
        return next_dialogue_due(self.starts_on, self.every_months, last_dialogue_on)


def _require_interval(every_months: int) -> None:
    if not 1 <= every_months <= 24:
        raise ValueError("A dialogue interval is between 1 and 24 months.")
