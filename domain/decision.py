"""Decision (beslut): proposed, then adopted or rejected; once adopted, revoked or superseded."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import CrossRecordError, DomainRuleError, RecordNotOpenError
from domain.personal import TEXT
from domain.values import DecisionStatus, Provenance


class Decision(CaseAggregate):
    """A decision about one issue, possibly prepared by one of its task forces."""

    class Proposed(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {"rationale": TEXT}
        issue_id: UUID
        municipality: str
        task_force_id: UUID | None
        title: str
        rationale: str
        decision_body: str
        service_impact: dict[str, Any] | None = None  # absent from events of the first release

    class Adopted(CaseAggregate.Event):
        decided_on: date
        reference: str | None

        def apply(self, decision: Decision) -> None:
            decision.status = DecisionStatus.ADOPTED
            decision.decided_on = self.decided_on
            decision.reference = self.reference

    class Rejected(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str

        def apply(self, decision: Decision) -> None:
            decision.status = DecisionStatus.REJECTED

    class Revoked(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str

        def apply(self, decision: Decision) -> None:
            decision.status = DecisionStatus.REVOKED

    class Superseded(CaseAggregate.Event):
        by_decision_id: UUID

        def apply(self, decision: Decision) -> None:
            decision.status = DecisionStatus.SUPERSEDED
            decision.superseded_by = self.by_decision_id

    class Corrected(CaseAggregate.Event):
        """An adopted decision's date or reference corrected; None leaves a field as it was."""

        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        decided_on: date | None
        reference: str | None
        reason: str

        def apply(self, decision: Decision) -> None:
            if self.decided_on is not None:
                decision.decided_on = self.decided_on
            if self.reference is not None:
                decision.reference = self.reference

    def __init__(
        self,
        issue_id: UUID,
        municipality: str,
        task_force_id: UUID | None,
        title: str,
        rationale: str,
        decision_body: str,
        service_impact: dict[str, Any] | None = None,
    ) -> None:
        self.issue_id = issue_id
        self.municipality = municipality
        self.task_force_id = task_force_id
        self.title = title
        self.rationale = rationale
        self.decision_body = decision_body
        self.reference: str | None = None
        self.decided_on: date | None = None
        self.status = DecisionStatus.PROPOSED
        self.superseded_by: UUID | None = None
        self.service_impact = service_impact

    @classmethod
    def propose(
        cls,
        *,
        issue_id: UUID,
        municipality: str,
        task_force_id: UUID | None,
        title: str,
        rationale: str,
        decision_body: str,
        by: Provenance,
        service_impact: dict[str, Any] | None = None,
    ) -> Decision:
        """Propose a decision; `service_impact` is its assessment of effects on local services
        (Vetlanda: service is considered in every decision), or None when not yet assessed."""
        require_text(title, "The title")
        if service_impact is not None:
            require_service_impact(service_impact)
        return cls._create(
            cls.Proposed,
            id=uuid4(),
            issue_id=issue_id,
            municipality=municipality,
            task_force_id=task_force_id,
            title=title,
            rationale=rationale,
            decision_body=decision_body,
            service_impact=service_impact,
            **by.event_fields(),
        )

    def adopt(self, decided_on: date, reference: str | None, by: Provenance) -> None:
        self._require(DecisionStatus.PROPOSED, "adopted")
        self._record(self.Adopted, by, decided_on=decided_on, reference=reference)

    def reject(self, reason: str, by: Provenance) -> None:
        self._require(DecisionStatus.PROPOSED, "rejected")
        self._record(self.Rejected, by, reason=require_text(reason, "The reason"))

    def revoke(self, reason: str, by: Provenance) -> None:
        self._require(DecisionStatus.ADOPTED, "revoked")
        self._record(self.Revoked, by, reason=require_text(reason, "The reason"))

    def supersede(self, by_decision: Decision, by: Provenance) -> None:
        """Replace this adopted decision with another adopted decision on the same issue."""
        self._require(DecisionStatus.ADOPTED, "superseded")
        if by_decision.id == self.id:
            raise CrossRecordError("A decision cannot supersede itself.")
        if by_decision.issue_id != self.issue_id:
            raise CrossRecordError("The superseding decision must belong to the same issue.")
        if by_decision.status != DecisionStatus.ADOPTED:
            raise CrossRecordError("The superseding decision must be adopted first.")
        self._record(self.Superseded, by, by_decision_id=by_decision.id)

    def correct(
        self, decided_on: date | None, reference: str | None, reason: str, by: Provenance
    ) -> None:
        """Correct an adopted decision's date or reference, with the reason."""
        self._require(DecisionStatus.ADOPTED, "corrected")
        if decided_on is None and reference is None:
            raise DomainRuleError("Name the date or the reference to correct.")
        self._record(
            self.Corrected,
            by,
            decided_on=decided_on,
            reference=reference,
            reason=require_text(reason, "The reason"),
        )

    def _require(self, status: DecisionStatus, verb: str) -> None:
        if self.status != status:
            article = "an" if str(status)[0] in "aeiou" else "a"
            raise RecordNotOpenError(
                f"Only {article} {status} decision can be {verb}; this one is {self.status}."
            )


IMPACT_EFFECTS = ("positive", "negative", "neutral")


def require_service_impact(impact: dict[str, Any]) -> None:
    """Either effects, each on a locality's service kind, or `none_expected` with a note."""
    if impact.get("none_expected"):
        if set(impact) - {"none_expected", "note"}:
            raise DomainRuleError("A service impact is either effects or none expected, not both.")
        require_text(impact.get("note") or "", "A note on why no impact is expected")
        return
    effects = impact.get("effects") or []
    if not effects:
        raise DomainRuleError("A service impact names at least one effect, or none_expected.")
    for effect in effects:
        if effect.get("effect") not in IMPACT_EFFECTS:
            raise DomainRuleError(f"An effect is one of {', '.join(IMPACT_EFFECTS)}.")
        require_text(effect.get("locality") or "", "The effect's locality")
