"""TaskForce (insatsstyrka): a small, time-boxed group that moves one issue forward."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import (
    DeadlineError,
    DomainRuleError,
    DuplicateMemberError,
    LeadRemovalError,
    NotAMemberError,
    RecordNotOpenError,
)
from domain.personal import TEXT, subject
from domain.values import Provenance, TaskForceStatus


class TaskForce(CaseAggregate):
    """Members keep joining order (dicts are ordered); the lead is always a member."""

    class Formed(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {
            "mandate": TEXT,
            "lead.display_name": subject("lead.subject_id"),
        }
        issue_id: UUID
        municipality: str
        name: str
        mandate: str
        due_on: date
        lead: dict[str, str]

    class MemberAdded(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"display_name": subject("subject_id")}
        member_id: str
        display_name: str
        organisation: str
        role: str
        user_id: str | None = None  # optional, and absent from events recorded before it
        subject_id: str | None = None  # the person (data subject); absent from older events

        def apply(self, task_force: TaskForce) -> None:
            member = {
                "display_name": self.display_name,
                "organisation": self.organisation,
                "role": self.role,
            }
            if self.user_id is not None:
                member["user_id"] = self.user_id
            if self.subject_id is not None:
                member["subject_id"] = self.subject_id
            task_force.members[self.member_id] = member

    class MemberRemoved(CaseAggregate.Event):
        member_id: str

        def apply(self, task_force: TaskForce) -> None:
            del task_force.members[self.member_id]

    class LeadHandedOver(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        from_member_id: str
        to_member_id: str
        note: str
        joining: dict[str, str] | None = None  # a staff handover to someone not yet a member

        def apply(self, task_force: TaskForce) -> None:
            if self.joining is not None:
                task_force.members[self.to_member_id] = self.joining
            task_force.lead = self.to_member_id

    class MandateExtended(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        old_due_on: date
        new_due_on: date
        reason: str

        def apply(self, task_force: TaskForce) -> None:
            task_force.due_on = self.new_due_on

    class ProgressReported(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"text": TEXT}
        text: str

        def apply(self, task_force: TaskForce) -> None:
            pass  # the progress log is kept by the read model

    class Completed(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"summary": TEXT}
        summary: str

        def apply(self, task_force: TaskForce) -> None:
            task_force.status = TaskForceStatus.COMPLETED

    class Disbanded(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str

        def apply(self, task_force: TaskForce) -> None:
            task_force.status = TaskForceStatus.DISBANDED

    def __init__(
        self,
        issue_id: UUID,
        municipality: str,
        name: str,
        mandate: str,
        due_on: date,
        lead: dict[str, str],
    ) -> None:
        self.issue_id = issue_id
        self.municipality = municipality
        self.name = name
        self.mandate = mandate
        self.due_on = due_on
        self.status = TaskForceStatus.ACTIVE
        member_id = lead["member_id"]
        self.members: dict[str, dict[str, str]] = {
            member_id: {k: v for k, v in lead.items() if k != "member_id"}
        }
        self.lead = member_id

    @classmethod
    def form(
        cls,
        *,
        issue_id: UUID,
        municipality: str,
        name: str,
        mandate: str,
        due_on: date,
        lead: dict[str, str],
        today: date,
        by: Provenance,
    ) -> TaskForce:
        if due_on <= today:
            raise DeadlineError("The deadline must lie after the day the task force is formed.")
        require_text(name, "The name")
        return cls._create(
            cls.Formed,
            id=uuid4(),
            issue_id=issue_id,
            municipality=municipality,
            name=name,
            mandate=mandate,
            due_on=due_on,
            lead={"member_id": str(uuid4()), **lead},
            **by.event_fields(),
        )

    def add_member(
        self,
        display_name: str,
        organisation: str,
        role: str,
        by: Provenance,
        user_id: str | None = None,
        subject_id: str | None = None,
    ) -> str:
        self._require_active()
        self._require_no_namesake(display_name, organisation)
        member_id = str(uuid4())
        optional = {"user_id": user_id, "subject_id": subject_id}
        self._record(
            self.MemberAdded,
            by,
            member_id=member_id,
            display_name=display_name,
            organisation=organisation,
            role=role,
            **{name: value for name, value in optional.items() if value is not None},
        )
        return member_id

    def remove_member(self, member_id: str, by: Provenance) -> None:
        self._require_active()
        self._require_member(member_id)
        if member_id == self.lead:
            raise LeadRemovalError("The lead cannot leave before handing over to another member.")
        self._record(self.MemberRemoved, by, member_id=member_id)

    def hand_over_lead(self, to_member_id: str, note: str, by: Provenance) -> None:
        self._require_active()
        self._require_member(to_member_id)
        if to_member_id == self.lead:
            raise DomainRuleError("That member already leads the task force.")
        require_text(note, "A handover note")
        self._record(
            self.LeadHandedOver, by, from_member_id=self.lead, to_member_id=to_member_id, note=note
        )

    def extend_mandate(self, due_on: date, reason: str, by: Provenance) -> None:
        self._require_active()
        if due_on <= self.due_on:
            raise DeadlineError(f"An extension must move the deadline past {self.due_on}.")
        require_text(reason, "The reason for an extension")
        self._record(
            self.MandateExtended, by, old_due_on=self.due_on, new_due_on=due_on, reason=reason
        )

    def report_progress(self, text: str, by: Provenance) -> None:
        self._require_active()
        self._record(self.ProgressReported, by, text=require_text(text, "A progress report"))

    def complete(self, summary: str, by: Provenance) -> None:
        self._require_active()
        self._record(self.Completed, by, summary=require_text(summary, "The summary"))

    def disband(self, reason: str, by: Provenance) -> None:
        self._require_active()
        self._record(self.Disbanded, by, reason=require_text(reason, "The reason"))

    @property
    def lead_user(self) -> str | None:
        return self.members[self.lead].get("user_id")

    def hand_over_lead_to_user(self, to_user: str, note: str, by: Provenance) -> None:
        """Staff handover: the lead passes to the user, who joins first if not yet a member.

        A newcomer joins under their user id, in the outgoing lead's organisation and role.
        """
        to_member = next((m for m, v in self.members.items() if v.get("user_id") == to_user), None)
        if to_member is not None:
            self.hand_over_lead(to_member, note, by)
            return
        self._require_active()
        lead = self.members[self.lead]
        joining = {
            "display_name": to_user,
            "organisation": lead["organisation"],
            "role": lead["role"],
            "user_id": to_user,
        }
        self._record(  # one event: the newcomer joins and takes the lead together
            self.LeadHandedOver,
            by,
            from_member_id=self.lead,
            to_member_id=str(uuid4()),
            note=require_text(note, "A handover note"),
            joining=joining,
        )

    @property
    def is_active(self) -> bool:
        return self.status == TaskForceStatus.ACTIVE

    def is_overdue(self, today: date) -> bool:
        return self.status == TaskForceStatus.ACTIVE and self.due_on < today

    def _require_active(self) -> None:
        if self.status != TaskForceStatus.ACTIVE:
            raise RecordNotOpenError(f"The task force is {self.status} and accepts no changes.")

    def _require_member(self, member_id: str) -> None:
        if member_id not in self.members:
            raise NotAMemberError(f"Member {member_id} is not in this task force.")

    def _require_no_namesake(self, display_name: str, organisation: str) -> None:
        """The same person twice is a mistake: equal name and organisation (case aside)."""
        wanted = (_comparable(display_name), _comparable(organisation))
        for member in self.members.values():
            if (_comparable(member["display_name"]), _comparable(member["organisation"])) == wanted:
                raise DuplicateMemberError(
                    f"{display_name} of {organisation} is already a member of this task force."
                )


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()
