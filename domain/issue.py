"""Issue (ärende): a question raised by or with a local community."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import (
    AlreadyRegisteredError,
    CrossRecordError,
    DomainRuleError,
    RecordNotOpenError,
)
from domain.personal import TEXT
from domain.values import IssueStatus, Provenance

EDITABLE_FIELDS = ("title", "description", "locality", "category")


class Issue(CaseAggregate):
    """An issue keeps only what its rules need; the dialogue log lives in the read model."""

    class Opened(CaseAggregate.Created):
        personal: ClassVar[dict[str, str]] = {"description": TEXT}
        municipality: str
        locality: str
        title: str
        description: str
        category: str
        raised_by: dict[str, str]
        parent_id: UUID | None
        registration_number: str | None = None  # absent from events recorded before it

        def apply(self, issue: Issue) -> None:
            issue.registration_number = self.registration_number

        modelled_on: dict[str, Any] | None = None  # a replica's source; absent before replicas

    class Edited(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"changes.description": TEXT}
        changes: dict[str, str]

        def apply(self, issue: Issue) -> None:
            for name, value in self.changes.items():
                setattr(issue, name, value)

    class ResponsibilityAssigned(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        unit: str
        role: str
        user_id: str | None
        note: str | None = None  # a staff handover's note; absent from earlier events

        def apply(self, issue: Issue) -> None:
            issue.responsibility = {"unit": self.unit, "role": self.role, "user_id": self.user_id}

    class NoteAdded(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"text": TEXT}
        kind: str
        text: str
        occurred_on: date
        public: bool
        note_id: UUID | None = None  # absent from earlier events: the view derives one
        lagrum: str | None = None  # sekretess under this provision; absent from older events

        def apply(self, issue: Issue) -> None:
            pass  # the log is kept by the read model, so the aggregate does not grow

    class SubIssueSplitOff(CaseAggregate.Event):
        child_id: UUID
        title: str

        def apply(self, issue: Issue) -> None:
            issue.child_ids.append(self.child_id)

    class Replicated(CaseAggregate.Event):
        """This issue served as the model for a new issue in another locality."""

        replica_id: UUID
        locality: str

        def apply(self, issue: Issue) -> None:
            replicas = getattr(issue, "replicas", [])  # a snapshot from before replicas
            issue.replicas = [
                *replicas,
                {"issue_id": str(self.replica_id), "locality": self.locality},
            ]

    class Resolved(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"summary": TEXT}
        summary: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.RESOLVED

    class Closed(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.CLOSED

    class Reopened(CaseAggregate.Event):
        """Version 2 also records the status the issue was reopened from; version-1 events,
        stored before it, read with `reopened_from` None (it was not recorded then)."""

        class_version = 2
        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        reason: str
        reopened_from: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reopened_from"] = None

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.OPEN

    class Registered(CaseAggregate.Event):
        """A number given to an issue opened before numbers were given at opening."""

        registration_number: str

        def apply(self, issue: Issue) -> None:
            issue.registration_number = self.registration_number

    class NoteCorrected(CaseAggregate.Event):
        """A note's text or date corrected; the event that added it keeps the first version."""

        personal: ClassVar[dict[str, str]] = {"text": TEXT, "reason": TEXT}
        note_id: UUID
        text: str | None
        occurred_on: date | None
        reason: str
        public: bool  # the corrected note's, so evaluators see only public notes' corrections
        lagrum: str | None = None  # the note's sekretess, which covers its corrections too

        def apply(self, issue: Issue) -> None:
            pass  # the log is kept by the read model

    class NoteWithdrawn(CaseAggregate.Event):
        """A note marked as withdrawn; it stays in the history and in the view, marked."""

        personal: ClassVar[dict[str, str]] = {"reason": TEXT}
        note_id: UUID
        reason: str
        public: bool
        lagrum: str | None = None  # the note's sekretess, which covers the reason too

        def apply(self, issue: Issue) -> None:
            pass  # the log is kept by the read model

    registration_number: str | None = None  # also for snapshots taken before numbers existed

    # Follow-ups (bevakning): a date on which the officer is reminded, with a note.

    class FollowUpSet(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {"note": TEXT}
        due_on: date
        note: str

        def apply(self, issue: Issue) -> None:
            issue.follow_up = {
                "due_on": self.due_on,
                "note": self.note,
                "set_by": self.actor["user_id"],
                "set_at": self.timestamp,
            }

    class FollowUpCleared(CaseAggregate.Event):
        due_on: date  # the date that was cleared, so the history reads on its own

        def apply(self, issue: Issue) -> None:
            issue.follow_up = None

    # Absent from issues recorded before follow-ups existed, hence a class-level default.
    follow_up: dict[str, Any] | None = None

    def __init__(
        self,
        municipality: str,
        locality: str,
        title: str,
        description: str,
        category: str,
        raised_by: dict[str, str],
        parent_id: UUID | None,
        modelled_on: dict[str, Any] | None = None,
    ) -> None:
        self.municipality = municipality
        self.locality = locality
        self.title = title
        self.description = description
        self.category = category
        self.raised_by = raised_by
        self.parent_id = parent_id
        self.child_ids: list[UUID] = []
        self.responsibility: dict[str, str | None] | None = None
        self.status = IssueStatus.OPEN
        self.modelled_on = modelled_on
        self.replicas: list[dict[str, str]] = []

    @classmethod
    def open(cls, *, by: Provenance, id: UUID | None = None, **fields: Any) -> Issue:
        require_text(fields["title"], "The title")
        return cls._create(cls.Opened, id=id or uuid4(), **fields, **by.event_fields())

    def edit(self, changes: dict[str, str], by: Provenance) -> None:
        self._require_open()
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"Fields that cannot be edited: {sorted(unknown)}")
        self._record(self.Edited, by, changes=changes)

    def assign_responsibility(
        self, unit: str, role: str, user_id: str | None, by: Provenance
    ) -> None:
        self._require_open()
        self._record(self.ResponsibilityAssigned, by, unit=unit, role=role, user_id=user_id)

    @property
    def responsible_user(self) -> str | None:
        return (self.responsibility or {}).get("user_id")

    def hand_over_responsibility(self, to_user: str, note: str, by: Provenance) -> None:
        """Staff handover: the same unit and role, now with `to_user`, and the shared note."""
        self._require_open()
        current = self.responsibility or {}
        self._record(
            self.ResponsibilityAssigned,
            by,
            unit=current.get("unit"),
            role=current.get("role"),
            user_id=to_user,
            note=require_text(note, "A handover note"),
        )

    def add_note(
        self,
        kind: str,
        text: str,
        occurred_on: date,
        public: bool,
        by: Provenance,
        lagrum: str | None = None,
    ) -> UUID:
        """A note; with `lagrum`, its text is secret (sekretess) under that provision."""
        self._require_open()
        require_text(text, "A note")
        note_id = uuid4()
        confidential = {"lagrum": lagrum} if lagrum is not None else {}
        self._record(
            self.NoteAdded,
            by,
            kind=kind,
            text=text,
            occurred_on=occurred_on,
            public=public,
            note_id=note_id,
            **confidential,
        )
        return note_id

    def split_off(
        self,
        title: str,
        description: str,
        category: str | None,
        by: Provenance,
        registration_number: str | None = None,
    ) -> Issue:
        """Open a child issue in this issue's municipality and record the split on this one."""
        self._require_open()
        child = Issue.open(
            registration_number=registration_number,
            by=by,
            municipality=self.municipality,
            locality=self.locality,
            title=title,
            description=description,
            category=category or self.category,
            raised_by=self.raised_by,
            parent_id=self.id,
        )
        self._record(self.SubIssueSplitOff, by, child_id=child.id, title=title)
        return child

    def replicate(
        self,
        locality: str,
        title: str | None,
        task_forces: list[dict[str, Any]],
        raised_by: dict[str, str],
        by: Provenance,
        registration_number: str,
    ) -> Issue:
        """A new issue in another locality of the municipality, modelled on this one.

        It copies the description and category, and each task force's name, mandate and member
        roles (no people) as `modelled_on`; this issue records the replica. Any status will do:
        a resolved issue is often the best model.
        """
        if locality.strip().casefold() == self.locality.strip().casefold():
            raise CrossRecordError("A replica is for another locality than its model.")
        replica = Issue.open(
            by=by,
            municipality=self.municipality,
            locality=require_text(locality, "The locality"),
            title=title or f"{self.title} (modell från {self.locality})"[:200],
            description=self.description,
            category=self.category,
            raised_by=raised_by,
            parent_id=None,
            registration_number=registration_number,
            modelled_on={
                "issue_id": str(self.id),
                "locality": self.locality,
                "title": self.title,
                "task_forces": task_forces,
            },
        )
        self._record(self.Replicated, by, replica_id=replica.id, locality=locality)
        return replica

    def resolve(self, summary: str, by: Provenance) -> None:
        self._require_open()
        self._record(self.Resolved, by, summary=require_text(summary, "The summary"))

    def close(self, reason: str, by: Provenance) -> None:
        self._require_open()
        self._record(self.Closed, by, reason=require_text(reason, "The reason"))

    def reopen(self, reason: str, by: Provenance) -> None:
        if self.status == IssueStatus.OPEN:
            raise RecordNotOpenError("The issue is already open.")
        self._record(
            self.Reopened,
            by,
            reason=require_text(reason, "The reason"),
            reopened_from=str(self.status),
        )

    @property
    def is_open(self) -> bool:
        return self.status == IssueStatus.OPEN

    def _require_open(self) -> None:
        if not self.is_open:
            raise RecordNotOpenError(f"The issue is {self.status}; reopen it before changing it.")

    # Follow-ups (bevakning)

    def set_follow_up(self, due_on: date, note: str, by: Provenance) -> None:
        """Any date, past ones too: a follow-up already overdue is still worth recording."""
        self._require_open()
        self._record(self.FollowUpSet, by, due_on=due_on, note=require_text(note, "A note"))

    def clear_follow_up(self, by: Provenance) -> None:
        if self.follow_up is None:
            raise RecordNotOpenError("The issue has no follow-up to clear.")
        self._record(self.FollowUpCleared, by, due_on=self.follow_up["due_on"])

    # Registration numbers and corrections

    def register(self, registration_number: str, by: Provenance) -> None:
        """Give a number to an issue opened before numbers were given at opening."""
        if self.registration_number is not None:
            raise AlreadyRegisteredError(f"The issue is {self.registration_number} already.")
        self._record(self.Registered, by, registration_number=registration_number)

    def correct_note(
        self,
        note: NoteState,
        text: str | None,
        occurred_on: date | None,
        reason: str,
        by: Provenance,
    ) -> None:
        """Correct a note's text or date; the reason is required, the history keeps both."""
        self._require_changeable(note)
        if text is None and occurred_on is None:
            raise DomainRuleError("Name the text or the date to correct.")
        self._record(
            self.NoteCorrected,
            by,
            note_id=note.note_id,
            text=None if text is None else require_text(text, "A note"),
            occurred_on=occurred_on,
            reason=require_text(reason, "The reason"),
            public=note.public,
            lagrum=note.lagrum,
        )

    def withdraw_note(self, note: NoteState, reason: str, by: Provenance) -> None:
        """Mark a note as withdrawn, with the reason; it is never erased from the history."""
        self._require_changeable(note)
        self._record(
            self.NoteWithdrawn,
            by,
            note_id=note.note_id,
            reason=require_text(reason, "The reason"),
            public=note.public,
            lagrum=note.lagrum,
        )

    def _require_changeable(self, note: NoteState) -> None:
        self._require_open()
        if note.issue_id != self.id:
            raise DomainRuleError("The note belongs to another issue.")
        if note.withdrawn:
            raise RecordNotOpenError("The note was withdrawn and accepts no corrections.")


@dataclass(frozen=True)
class NoteState:
    """What the rules need of one note; the notes themselves live in the read model."""

    note_id: UUID
    issue_id: UUID
    public: bool
    withdrawn: bool
    lagrum: str | None = None  # sekretess under this provision
