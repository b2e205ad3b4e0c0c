"""Outcome (utfall): what came of an issue, measured by indicators, verified by a second person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import (
    DomainRuleError,
    DuplicateIndicatorError,
    FourEyesError,
    FutureDateError,
    RecordNotOpenError,
)
from domain.personal import TEXT
from domain.values import OutcomeStatus, Provenance

Indicator = dict[str, Any]  # {name, value: Decimal, unit, baseline?, target?}


def _require_unique_names(indicators: list[Indicator]) -> None:
    names = [indicator["name"] for indicator in indicators]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DuplicateIndicatorError(f"Indicator names must be unique: {', '.join(duplicates)}.")


class Outcome(CaseAggregate):
    """An observed result. Verification is four-eyes: never by its recorder or last corrector."""

    class Recorded(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {"summary": TEXT}
        issue_id: UUID
        municipality: str
        decision_ids: list[UUID]
        summary: str
        indicators: list[Indicator]
        observed_on: date

    class Verified(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        note: str | None

        def apply(self, outcome: Outcome) -> None:
            outcome.status = OutcomeStatus.VERIFIED

    class Corrected(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"changes.summary": TEXT, "reason": TEXT}
        changes: dict[str, Any]
        reason: str

        def apply(self, outcome: Outcome) -> None:
            for name, value in self.changes.items():
                setattr(outcome, name, value)
            outcome.status = OutcomeStatus.RECORDED
            outcome.last_corrected_by = self.actor["user_id"]

    class Retracted(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str

        def apply(self, outcome: Outcome) -> None:
            outcome.status = OutcomeStatus.RETRACTED

    def __init__(
        self,
        issue_id: UUID,
        municipality: str,
        decision_ids: list[UUID],
        summary: str,
        indicators: list[Indicator],
        observed_on: date,
        actor: dict[str, str],
    ) -> None:
        self.issue_id = issue_id
        self.municipality = municipality
        self.decision_ids = decision_ids
        self.summary = summary
        self.indicators = indicators
        self.observed_on = observed_on
        self.status = OutcomeStatus.RECORDED
        self.recorded_by = actor["user_id"]
        self.last_corrected_by: str | None = None

    @classmethod
    def record(
        cls,
        *,
        issue_id: UUID,
        municipality: str,
        decision_ids: list[UUID],
        summary: str,
        indicators: list[Indicator],
        observed_on: date,
        today: date,
        by: Provenance,
    ) -> Outcome:
        if observed_on > today:
            raise FutureDateError("An outcome cannot be observed in the future.")
        require_text(summary, "The summary")
        _require_unique_names(indicators)
        return cls._create(
            cls.Recorded,
            id=uuid4(),
            issue_id=issue_id,
            municipality=municipality,
            decision_ids=decision_ids,
            summary=summary,
            indicators=indicators,
            observed_on=observed_on,
            **by.event_fields(),
        )

    def verify(self, note: str | None, by: Provenance) -> None:
        if self.status != OutcomeStatus.RECORDED:
            raise RecordNotOpenError(
                f"Only a recorded outcome can be verified; this one is {self.status}."
            )
        if by.actor.user_id in (self.recorded_by, self.last_corrected_by):
            raise FourEyesError(
                "Someone other than the person who recorded or last corrected it must verify."
            )
        self._record(self.Verified, by, note=note)

    def correct(
        self, summary: str | None, indicators: list[Indicator] | None, reason: str, by: Provenance
    ) -> None:
        self._require_not_retracted()
        changes: dict[str, Any] = {}
        if summary is not None:
            changes["summary"] = require_text(summary, "The summary")
        if indicators is not None:
            _require_unique_names(indicators)
            changes["indicators"] = indicators
        if not changes:
            raise DomainRuleError("A correction must change the summary or the indicators.")
        self._record(self.Corrected, by, changes=changes, reason=require_text(reason, "The reason"))

    def retract(self, reason: str, by: Provenance) -> None:
        self._require_not_retracted()
        self._record(self.Retracted, by, reason=require_text(reason, "The reason"))

    def _require_not_retracted(self) -> None:
        if self.status == OutcomeStatus.RETRACTED:
            raise RecordNotOpenError("The outcome is retracted and accepts no changes.")


def indicator(name: str, value: Decimal | str, unit: str, **optional: Decimal | None) -> Indicator:
    """Build an indicator dict with decimal values; baseline and target are optional."""
    return {"name": name, "value": Decimal(value), "unit": unit, **optional}
