"""Sekretess, the one rule: a confidential note's text is read only by caseworkers and admins of
its municipality. Others read "[sekretess]" with the lagrum; evaluators never get the note.

The same holds for everything said about such a note afterwards: a correction's text and
reason, a withdrawal's reason (each event carries the note's `lagrum`). The HTTP routes (views,
history, global log) and the relay's messages all apply this rule, and nothing else.
"""

from __future__ import annotations

from typing import Any

from domain.personal import SEKRETESS
from domain.values import Actor, Role

SECRET_READERS = frozenset({Role.CASEWORKER, Role.ADMIN})
# The events about a confidential note, and their fields that are as secret as its text.
SECRET_FIELDS = {
    "Issue.NoteAdded": ("text",),
    "Issue.NoteCorrected": ("text", "reason"),
    "Issue.NoteWithdrawn": ("reason",),
}


def may_read_secrets(actor: Actor, municipality: str) -> bool:
    return actor.role in SECRET_READERS and actor.municipality == municipality


def conceal_notes(view: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """An issue view's notes as this caller may see them (corrections are laid over them)."""
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


def conceal_event(item: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
    """A history, global-log or relay item as this caller may see it; None if not at all."""
    secret = SECRET_FIELDS.get(item.get("type", ""))
    data = item.get("data") or {}
    if secret is None or not data.get("lagrum"):
        return item
    municipality = item.get("municipality") or item["actor"]["municipality"]
    if may_read_secrets(actor, municipality):
        return item
    if actor.role == Role.EVALUATOR:
        return None
    return {**item, "data": {**data, **{f: SEKRETESS for f in secret if data.get(f) is not None}}}


def conceal_events(items: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    """History or global-log items, with confidential texts replaced for this caller."""
    return [shown for item in items if (shown := conceal_event(item, actor)) is not None]
