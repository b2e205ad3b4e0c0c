"""Issue (ärende): a question raised by or with a local community."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import CrossRecordError, RecordNotOpenError
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
        modelled_on: dict[str, Any] | None = None  # a replica's source; absent before replicas

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
        summary: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.RESOLVED

    class Closed(CaseAggregate.Event):
        reason: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.CLOSED

    class Reopened(CaseAggregate.Event):
        reason: str

        def apply(self, issue: Issue) -> None:
            issue.status = IssueStatus.OPEN

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

    def replicate(
        self,
        locality: str,
        title: str | None,
        task_forces: list[dict[str, Any]],
        raised_by: dict[str, str],
        by: Provenance,
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
        self._record(self.Reopened, by, reason=require_text(reason, "The reason"))

    @property
    def is_open(self) -> bool:
        return self.status == IssueStatus.OPEN

    def _require_open(self) -> None:
        if not self.is_open:
            raise RecordNotOpenError(f"The issue is {self.status}; reopen it before changing it.")
