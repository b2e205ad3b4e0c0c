"""Gallring: the recorded, decision-backed destruction of personal data.

One record per gallring. Its one event names the decision, the subjects and records erased,
and the ids of the keys destroyed; it carries no personal data itself. The reason is kept
clear in the log for the archive, so it must never name anyone.
"""

from __future__ import annotations

from uuid import uuid4

from domain.base import CaseAggregate
from domain.values import Provenance

CARRIED_OUT = "carried_out"


class Gallring(CaseAggregate):
    """A gallring carried out under `decision_reference` (e.g. the nämnd's plan, §)."""

    class GallringCarriedOut(CaseAggregate.Created):
        municipality: str
        decision_reference: str
        reason: str
        subject_ids: list[str]
        record_ids: list[str]
        key_ids: list[str]

    def __init__(
        self,
        municipality: str,
        decision_reference: str,
        reason: str,
        subject_ids: list[str],
        record_ids: list[str],
        key_ids: list[str],
    ) -> None:
        self.municipality = municipality
        self.decision_reference = decision_reference
        self.reason = reason
        self.subject_ids = subject_ids
        self.record_ids = record_ids
        self.key_ids = key_ids
        self.status = CARRIED_OUT

    @classmethod
    def carry_out(
        cls,
        *,
        municipality: str,
        decision_reference: str,
        reason: str,
        subject_ids: list[str],
        record_ids: list[str],
        key_ids: list[str],
        by: Provenance,
    ) -> Gallring:
        return cls._create(
            cls.GallringCarriedOut,
            id=uuid4(),
            municipality=municipality,
            decision_reference=decision_reference,
            reason=reason,
            subject_ids=subject_ids,
            record_ids=record_ids,
            key_ids=key_ids,
            **by.event_fields(),
        )
