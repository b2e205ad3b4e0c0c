"""The dialogue log with its corrections: what a note says now, and what the rules need of it.

Notes and their changes are append-only rows (`issue_note_view`, `issue_note_change_view`).
A view at version N lays the changes up to N over the notes up to N, so time travel shows
each note as it read then; the events keep every version.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from domain.issue import NoteState
from infrastructure.views.read_models import VIEWS

NOTE, CHANGE = VIEWS["note"], VIEWS["note_change"]


def note_state(session: Session, issue_id: UUID, note_id: UUID) -> NoteState | None:
    """The note as the rules see it, or None if the issue has no such note."""
    note = session.execute(
        select(NOTE.c.issue_id, NOTE.c.public, NOTE.c.lagrum).where(
            NOTE.c.note_id == str(note_id), NOTE.c.issue_id == str(issue_id)
        )
    ).first()
    if note is None:
        return None
    withdrawn = session.execute(
        select(CHANGE.c.position)
        .where(CHANGE.c.note_id == str(note_id), CHANGE.c.withdrawn.is_(True))
        .limit(1)
    ).first()
    return NoteState(note_id, issue_id, bool(note.public), withdrawn is not None, note.lagrum)


def with_changes(
    session: Session, issue_id: str, notes: list[dict[str, Any]], version: int
) -> list[dict[str, Any]]:
    """The notes with their corrections up to `version` laid over them, marked as such."""
    changes = session.execute(
        select(CHANGE)
        .where(CHANGE.c.issue_id == issue_id, CHANGE.c.version <= version)
        .order_by(CHANGE.c.position)
    ).mappings()
    by_id = {note["note_id"]: note for note in notes}
    for note in notes:
        note.update(corrected=False, withdrawn=False)
    for change in changes:
        note = by_id.get(change["note_id"])
        if note is None:
            continue
        if change["withdrawn"]:
            note["withdrawn"] = True
            continue
        note["corrected"] = True
        if change["text"] is not None:
            note["text"] = change["text"]
        if change["occurred_on"] is not None:
            note["occurred_on"] = change["occurred_on"]
    return notes


def current_occurred_on() -> Any:
    """SQL: a note's date as it reads now, its latest correction's where it was corrected."""
    corrected = (
        select(CHANGE.c.occurred_on)
        .where(CHANGE.c.note_id == NOTE.c.note_id, CHANGE.c.occurred_on.is_not(None))
        .order_by(CHANGE.c.position.desc())
        .limit(1)
        .correlate(NOTE)
        .scalar_subquery()
    )
    return func.coalesce(corrected, NOTE.c.occurred_on)


def not_withdrawn() -> Any:
    """SQL: the note was not withdrawn."""
    return ~exists(
        select(CHANGE.c.position)
        .where(CHANGE.c.note_id == NOTE.c.note_id, CHANGE.c.withdrawn.is_(True))
        .correlate(NOTE)
    )
