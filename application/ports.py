"""What the command handlers and the bus need from the outside world."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar
from uuid import UUID, uuid4

from domain.base import CaseAggregate
from domain.issue import NoteState
from domain.values import Actor, Provenance

A = TypeVar("A", bound=CaseAggregate)


@dataclass(frozen=True)
class CommandContext:
    """Everything about a command that is not its content: who sent it, and how."""

    actor: Actor
    correlation_id: str = field(default_factory=lambda: str(uuid4()))
    idempotency_key: str | None = None
    expected_version: int | None = None
    command_id: str = field(default_factory=lambda: str(uuid4()))

    @property
    def provenance(self) -> Provenance:
        return Provenance(self.actor, self.command_id, self.correlation_id)


@dataclass(frozen=True)
class CommandResult:
    """The record a command changed or created, its new version, and its last log position."""

    id: UUID
    version: int
    position: int
    member_id: str | None = None


@dataclass(frozen=True)
class Remembered:
    """A command result stored under an idempotency key, with the command's fingerprint."""

    fingerprint: str
    result: CommandResult


@dataclass(frozen=True)
class Holdings:
    """What a user holds in the caller's municipality: open issues and task forces they lead."""

    issue_ids: list[UUID]
    task_force_ids: list[UUID]


class UnitOfWork(Protocol):
    """One atomic transaction: loads are scoped to the caller's municipality."""

    by: Provenance
    today: date

    def get(self, record_id: UUID, kind: type[A]) -> A:
        """Load a record, or raise NotFoundError if it is unknown, foreign or another kind."""
        ...

    def save(self, *aggregates: CaseAggregate) -> CommandResult:
        """Record the aggregates' new events; the result describes the first aggregate."""
        ...

    def held_by(self, user_id: str) -> Holdings:
        """Records held by `user_id` in the caller's municipality, as seen in this transaction."""
        ...

    def subject_for(self, municipality: str, display_name: str, organisation: str) -> str:
        """The subject id of the person so named in the municipality; a new one if none."""
        ...

    def recall(self, idempotency_key: str) -> Remembered | None: ...

    def next_registration_number(self, municipality: str, year: int) -> str:
        """The next free registration number, as seen in this transaction."""
        ...

    def note(self, issue_id: UUID, note_id: UUID) -> NoteState | None:
        """One note of the issue, as its rules need it; None if the issue has no such note."""
        ...

    def remember(self, idempotency_key: str, fingerprint: str, result: CommandResult) -> None: ...


class Store(Protocol):
    def unit_of_work(
        self, context: CommandContext, target: UUID | None
    ) -> AbstractContextManager[UnitOfWork]:
        """Open a transaction; `target` is the record that `context.expected_version` applies to."""
        ...
