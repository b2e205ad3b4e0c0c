"""Issue (ärende): a question raised by or with a local community."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import RecordNotOpenError
from domain.values import IssueStatus, Provenance

EDITABLE_FIELDS = ("title", "description", "locality", "category")


class Issue(CaseAggregate):
    """An issue keeps only what its rules need; the dialogue log lives in the read model."""

    class Opened(CaseAggregate.Created):
        municipality: str
        locality: str
        title: str
        description: str
        category: str
        raised_by: dict[str, str]
        parent_id: UUID | None

    class Edited(CaseAggregate.Event):
        changes: dict[str, str]

        def apply(self, issue: Issue) -> None:
            for name, value in self.changes.items():
                setattr(issue, name, value)

    class ResponsibilityAssigned(CaseAggregate.Event):
        unit: str
        role: str
        user_id: str | None
        note: str | None = None  # a staff handover's note; absent from earlier events

        def apply(self, issue: Issue) -> None:
            issue.responsibility = {"unit": self.unit, "role": self.role, "user_id": self.user_id}

    class NoteAdded(CaseAggregate.Event):
        kind: str
        text: str
        occurred_on: date
        public: bool

        def apply(self, issue: Issue) -> None:
            pass  # the log is kept by the read model, so the aggregate does not grow

    class SubIssueSplitOff(CaseAggregate.Event):
        child_id: UUID
        title: str

        def apply(self, issue: Issue) -> None:
            issue.child_ids.append(self.child_id)

    class Resolved(CaseAggregate.Event):
        summary: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.RESOLVED

    class Closed(CaseAggregate.Event):
        reason: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.CLOSED

    class Reopened(CaseAggregate.Event):
        """Version 2 also records the status the issue was reopened from; version-1 events,
        stored before it, read with `reopened_from` None (it was not recorded then)."""

        class_version = 2
        reason: str
        reopened_from: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reopened_from"] = None

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.OPEN

    # Follow-ups (bevakning): a date on which the officer is reminded, with a note.

    class FollowUpSet(CaseAggregate.Event):
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
        self, kind: str, text: str, occurred_on: date, public: bool, by: Provenance
    ) -> None:
        self._require_open()
        require_text(text, "A note")
        self._record(
            self.NoteAdded, by, kind=kind, text=text, occurred_on=occurred_on, public=public
        )

    def split_off(
        self, title: str, description: str, category: str | None, by: Provenance
    ) -> Issue:
        """Open a child issue in this issue's municipality and record the split on this one."""
        self._require_open()
        child = Issue.open(
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
