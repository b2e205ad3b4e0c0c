"""JSON: one document `{"items": [...]}`, written item by item, never held whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from infrastructure.views.projections import TIMELINE_KINDS
from infrastructure.views.timeline import ENTRY_FIELDS, Timeline
from interfaces.exports.streaming import buffered

MEDIA_TYPE = "application/json"
KINDS = sorted({*TIMELINE_KINDS.values(), "task_force_due"})
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "TimelineEntry",
    "description": "One milestone. The properties appear in exactly this order.",
    "additionalProperties": False,
    "required": list(ENTRY_FIELDS),
    "properties": {
        "date": {
            "type": "string",
            "format": "date",
            "description": "The business date (decided_on, observed_on, due_on, a note's "
            "occurred_on); otherwise the UTC date of the event.",
        },
        "kind": {"type": "string", "enum": KINDS},
        "municipality": {"type": "string", "pattern": "^[0-9]{4}$"},
        "locality": {"type": "string", "maxLength": 200},
        "issue_id": {"type": "string", "pattern": UUID_PATTERN},
        "record_type": {
            "type": "string",
            "enum": ["issue", "task_force", "decision", "outcome", "locality"],
            "description": "`locality` for a service's opening or closing in the issue's locality",
        },
        "record_id": {"type": "string", "pattern": UUID_PATTERN},
        "title": {
            "type": "string",
            "description": "The record's title or name, when it happened; for a service, its "
            "name (and operator) when it opened, and its name and the reason when it closed",
        },
        "actor_role": {
            "type": ["string", "null"],
            "enum": ["caseworker", "auditor", "evaluator", "admin", None],
            "description": "null where there is no actor, as for `task_force_due`",
        },
    },
}
TIMELINE_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "TimelineExport",
    "description": "A timeline export: every entry, sorted by date.",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {"items": {"type": "array", "items": ENTRY_SCHEMA}},
}


def render(timeline: Timeline, lang: str = "sv") -> Iterator[bytes]:
    """The document in pieces: the opening, each item, the closing."""
    return buffered(_pieces(timeline))


def _pieces(timeline: Timeline) -> Iterator[str]:
    yield '{"items":['
    separator = ""
    for row in timeline.entries():
        entry = row.entry()
        entry["date"] = entry["date"].isoformat()
        yield separator + json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        separator = ","
    yield "]}"
