"""StaffMember: a user's standing in a municipality's work: active, on leave, or departed.

Knowledge that sits with one person is lost when that person leaves. Marking the departure
as an event lets the insights flag anything that is still attached to the departed user, and
lets the service refuse a departed user's token. Leave and return (which also serves as a
rehire after a departure) keep the record honest when people come back.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID, uuid5

from domain.base import CaseAggregate, require_text
from domain.errors import DeadlineError, RecordNotOpenError
from domain.personal import TEXT
from domain.values import Provenance

STAFF_NAMESPACE = UUID("6f1c2a0e-4b1d-5c7a-9e51-0d3b7a2f9c11")


class StaffStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    DEPARTED = "departed"


DEPARTED = StaffStatus.DEPARTED


def staff_member_id(municipality: str, user_id: str) -> UUID:
    """One record per user and municipality, so a second handover finds the first."""
    return uuid5(STAFF_NAMESPACE, f"{municipality}:{user_id}")


class StaffMember(CaseAggregate):
    """A user who has left, is on leave, or came back; handovers list what they moved.

    The record is created by whichever comes first, a departure or a leave; a user with no
    record is simply active.
    """

    class Departed(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        municipality: str
        user_id: str
        handed_over_to: str
        note: str
        issue_ids: list[UUID]
        task_force_ids: list[UUID]

        def apply(self, staff: StaffMember) -> None:
            staff.depart_with(self.handed_over_to, self.issue_ids, self.task_force_ids)

    class HandedOverAgain(CaseAggregate.Event):
        """A handover of a user who already has a record: work found attached to them after
        they left, or a user on leave or back from one who now leaves."""

        personal: ClassVar[dict[str, str]] = {"note": TEXT}

        handed_over_to: str
        note: str
        issue_ids: list[UUID]
        task_force_ids: list[UUID]

        def apply(self, staff: StaffMember) -> None:
            staff.depart_with(self.handed_over_to, self.issue_ids, self.task_force_ids)

    class FirstLeaveStarted(CaseAggregate.Created):
        """A leave that opens the user's record (nothing was recorded about them before)."""

        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        municipality: str
        user_id: str
        starts_on: date
        ends_on: date | None
        note: str

        def apply(self, staff: StaffMember) -> None:
            staff.status = StaffStatus.ON_LEAVE
            staff.leave = (self.starts_on, self.ends_on)

    class LeaveStarted(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        starts_on: date
        ends_on: date | None
        note: str

        def apply(self, staff: StaffMember) -> None:
            staff.status = StaffStatus.ON_LEAVE
            staff.leave = (self.starts_on, self.ends_on)

    class Returned(CaseAggregate.Event):
        """Back from leave, or rehired after a departure (`from_status` says which)."""

        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        from_status: str
        note: str

        def apply(self, staff: StaffMember) -> None:
            staff.status = StaffStatus.ACTIVE
            staff.leave = None

    # Absent from snapshots taken before leave existed, hence a class-level default.
    leave: tuple[date, date | None] | None = None

    def __init__(self, municipality: str, user_id: str) -> None:
        self.municipality = municipality
        self.user_id = user_id
        self.status = StaffStatus.ACTIVE
        self.handed_over_to: str | None = None
        # Only the counts of the latest handover: the state stays small however often it runs.
        self.moved = (0, 0)
        self.leave = None

    def depart_with(self, to_user: str, issue_ids: list[UUID], task_force_ids: list[UUID]) -> None:
        self.status = StaffStatus.DEPARTED
        self.handed_over_to = to_user
        self.moved = (len(issue_ids), len(task_force_ids))
        self.leave = None

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

    @classmethod
    def go_on_leave(
        cls,
        *,
        municipality: str,
        user_id: str,
        starts_on: date,
        ends_on: date | None,
        note: str,
        by: Provenance,
    ) -> StaffMember:
        """The first thing recorded about a user is a leave."""
        _require_ordered(starts_on, ends_on)
        return cls._create(
            cls.FirstLeaveStarted,
            id=staff_member_id(municipality, user_id),
            municipality=municipality,
            user_id=user_id,
            starts_on=starts_on,
            ends_on=ends_on,
            note=require_text(note, "A leave note"),
            **by.event_fields(),
        )

    def start_leave(self, starts_on: date, ends_on: date | None, note: str, by: Provenance) -> None:
        if self.status == StaffStatus.DEPARTED:
            raise RecordNotOpenError(
                f"{self.user_id} has left; record their return before a leave."
            )
        if self.status == StaffStatus.ON_LEAVE:
            raise RecordNotOpenError(f"{self.user_id} is already on leave.")
        _require_ordered(starts_on, ends_on)
        note = require_text(note, "A leave note")
        self._record(self.LeaveStarted, by, starts_on=starts_on, ends_on=ends_on, note=note)

    def end_leave(self, note: str, by: Provenance) -> None:
        """Back from leave, or rehired after a departure."""
        if self.status == StaffStatus.ACTIVE:
            raise RecordNotOpenError(f"{self.user_id} is neither on leave nor departed.")
        note = require_text(note, "A return note")
        self._record(self.Returned, by, from_status=str(self.status), note=note)

    @property
    def has_left(self) -> bool:
        return self.status == StaffStatus.DEPARTED


def _require_ordered(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DeadlineError("A leave cannot end before it starts.")
