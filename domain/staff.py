"""StaffMember: a user who has left a municipality's work, and where their work went.

Knowledge that sits with one person is lost when that person leaves. Marking the departure
as an event lets the insights flag anything that is still attached to the departed user.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid5

from domain.base import CaseAggregate, require_text
from domain.personal import TEXT
from domain.values import Provenance

STAFF_NAMESPACE = UUID("6f1c2a0e-4b1d-5c7a-9e51-0d3b7a2f9c11")
DEPARTED = "departed"


def staff_member_id(municipality: str, user_id: str) -> UUID:
    """One record per user and municipality, so a second handover finds the first."""
    return uuid5(STAFF_NAMESPACE, f"{municipality}:{user_id}")


class StaffMember(CaseAggregate):
    """A departed user; each handover lists the issues and task forces it moved."""

    class Departed(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        municipality: str
        user_id: str
        handed_over_to: str
        note: str
        issue_ids: list[UUID]
        task_force_ids: list[UUID]

    class HandedOverAgain(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        """Work found attached to the user after they had left, moved on in turn."""

        handed_over_to: str
        note: str
        issue_ids: list[UUID]
        task_force_ids: list[UUID]

        def apply(self, staff: StaffMember) -> None:
            staff.handed_over_to = self.handed_over_to
            staff.moved = (len(self.issue_ids), len(self.task_force_ids))

    def __init__(
        self,
        municipality: str,
        user_id: str,
        handed_over_to: str,
        note: str,
        issue_ids: list[UUID],
        task_force_ids: list[UUID],
    ) -> None:
        self.municipality = municipality
        self.user_id = user_id
        self.handed_over_to = handed_over_to
        self.status = DEPARTED
        # Only the counts of the latest handover: the state stays small however often it runs.
        self.moved = (len(issue_ids), len(task_force_ids))

    @classmethod
    def depart(
        cls,
        *,
        municipality: str,
        user_id: str,
        to_user: str,
        note: str,
        issue_ids: list[UUID],
        task_force_ids: list[UUID],
        by: Provenance,
    ) -> StaffMember:
        return cls._create(
            cls.Departed,
            id=staff_member_id(municipality, user_id),
            municipality=municipality,
            user_id=user_id,
            handed_over_to=to_user,
            note=require_text(note, "A handover note"),
            issue_ids=issue_ids,
            task_force_ids=task_force_ids,
            **by.event_fields(),
        )

    def hand_over_again(
        self,
        to_user: str,
        note: str,
        issue_ids: list[UUID],
        task_force_ids: list[UUID],
        by: Provenance,
    ) -> None:
        self._record(
            self.HandedOverAgain,
            by,
            handed_over_to=to_user,
            note=require_text(note, "A handover note"),
            issue_ids=issue_ids,
            task_force_ids=task_force_ids,
        )
