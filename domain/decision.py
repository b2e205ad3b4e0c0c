"""Decision (beslut): proposed, then adopted or rejected; once adopted, revoked or superseded."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
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
    ) -> Decision:
        require_text(title, "The title")
        return cls._create(
            cls.Proposed,
            id=uuid4(),
            issue_id=issue_id,
            municipality=municipality,
            task_force_id=task_force_id,
            title=title,
            rationale=rationale,
            decision_body=decision_body,
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
            raise RecordNotOpenError(
                f"Only a {status} decision can be {verb}; this one is {self.status}."
            )
