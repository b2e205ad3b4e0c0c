"""Sekretess: a confidential note's text is read only by caseworkers and admins of its
municipality. Others read "[sekretess]" and the lagrum; evaluators never get the note."""

from __future__ import annotations

from typing import Any

from domain.personal import SEKRETESS
from domain.values import Actor, Role

SECRET_READERS = frozenset({Role.CASEWORKER, Role.ADMIN})
NOTE_EVENT = "Issue.NoteAdded"


def may_read_secrets(actor: Actor, municipality: str) -> bool:
    return actor.role in SECRET_READERS and actor.municipality == municipality


def conceal_notes(view: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """An issue view's notes as this caller may see them."""
    if "notes" not in view or may_read_secrets(actor, view["municipality"]):
        return view
    notes = []
    for note in view["notes"]:
        if note.get("lagrum"):
            if actor.role == Role.EVALUATOR:
                continue
            note = {**note, "text": SEKRETESS}
        notes.append(note)
    return {**view, "notes": notes}


def conceal_events(items: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    """History or global-log items, with confidential note texts replaced for this caller."""
    shown = []
    for item in items:
        data = item.get("data") or {}
        if (
            item.get("type") == NOTE_EVENT
            and data.get("lagrum")
            and not may_read_secrets(actor, item["actor"]["municipality"])
        ):
            if actor.role == Role.EVALUATOR:
                continue
            item = {**item, "data": {**data, "text": SEKRETESS}}
        shown.append(item)
    return shown
