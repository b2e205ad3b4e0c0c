"""Personal data, as each event class declares it.

An event class that carries personal data says which of its fields do, in a class variable
`personal`: a dict from a field path (`"text"`, `"lead.display_name"`) to its owner, either
`TEXT` (the record's free text: one key per record) or `subject("<path of the subject id>")`
(one key per person). The store encrypts exactly these fields; ids, statuses, dates,
categories, titles and organisations stay clear, so that aggregates replay after erasure.
See docs/personal-data.md, the register of processing.
"""

from __future__ import annotations

from typing import Any

TEXT = "text"
SUBJECT_PREFIX = "subject:"
GALLRAD = "[gallrad]"  # what an erased value reads, everywhere
SEKRETESS = "[sekretess]"  # what a confidential text reads for those who may not see it


def subject(id_path: str) -> str:
    """The owner of a field that names the subject whose id is at `id_path`."""
    return f"{SUBJECT_PREFIX}{id_path}"


def declared(event_class: type) -> dict[str, str]:
    """The personal fields `event_class` declares, or none."""
    fields: dict[str, str] = getattr(event_class, "personal", None) or {}
    return fields


def value_at(state: dict[str, Any], path: str) -> Any:
    """The value at a dotted path in an event's state, or None where there is none."""
    value: Any = state
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
