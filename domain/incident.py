"""IntegrityIncident: an operator's record that the log's chain was found broken.

A writer that finds the chain broken refuses every command (the integrity alarm). The operator
who has looked into it records an incident: where the chain broke, what the head said, and
where the chain goes on from. The incident is itself an event in the log, chained like any
other, so it can be neither hidden nor forged later; verify keeps naming the break.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from domain.base import CaseAggregate, require_text
from domain.values import NATIONAL_SCOPE, Provenance

RECORDED = "recorded"


class IntegrityIncident(CaseAggregate):
    """One incident; the whole store's, so its municipality is national scope."""

    class Recorded(CaseAggregate.Created):
        municipality: str
        broken_position: int
        found: str  # what the writer found: why the chain could not be extended
        reason: str  # the operator's account
        old_head: dict[str, Any]  # the head row as found: position, hash, signature_valid
        continued_from: dict[str, Any]  # the stored chain's end that the log goes on from

    def __init__(
        self,
        municipality: str,
        broken_position: int,
        found: str,
        reason: str,
        old_head: dict[str, Any],
        continued_from: dict[str, Any],
    ) -> None:
        self.municipality = municipality
        self.broken_position = broken_position
        self.found = found
        self.reason = reason
        self.old_head = old_head
        self.continued_from = continued_from
        self.status = RECORDED

    @classmethod
    def record(
        cls,
        *,
        broken_position: int,
        found: str,
        reason: str,
        old_head: dict[str, Any],
        continued_from: dict[str, Any],
        by: Provenance,
    ) -> IntegrityIncident:
        return cls._create(
            cls.Recorded,
            id=uuid4(),
            municipality=NATIONAL_SCOPE,
            broken_position=broken_position,
            found=found,
            reason=require_text(reason, "The reason"),
            old_head=old_head,
            continued_from=continued_from,
            **by.event_fields(),
        )
