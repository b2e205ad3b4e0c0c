"""Gallring: the recorded, decision-backed destruction of personal data.

One record per gallring. Its one event names the decision, the subjects and records erased,
and the ids of the keys destroyed; it carries no personal data itself. Where record-level
gallring redacted plaintext events written before encryption, the event vouches for each
redacted position: the stored link there, and the link the redacted bytes give, so that
`audit verify` can accept exactly that change and nothing else (docs/integrity.md). The
reason is kept clear in the log for the archive, so it must never name anyone.
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
        # "<position>": {"link": stored link, "redacted": link of the redacted bytes} (hex)
        vouches: dict[str, dict[str, str]] | None = None

    def __init__(
        self,
        municipality: str,
        decision_reference: str,
        reason: str,
        subject_ids: list[str],
        record_ids: list[str],
        key_ids: list[str],
        vouches: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.municipality = municipality
        self.decision_reference = decision_reference
        self.reason = reason
        self.subject_ids = subject_ids
        self.record_ids = record_ids
        self.key_ids = key_ids
        self.vouches = vouches or {}
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
        vouches: dict[str, dict[str, str]] | None = None,
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
            vouches=vouches or None,
            **by.event_fields(),
        )
