"""The register of processing lists every personal field the events declare."""

from __future__ import annotations

from pathlib import Path

from domain.personal import declared
from infrastructure.views.projections import RECORD_TYPES

REGISTER = Path(__file__).parents[2] / "docs" / "personal-data.md"


def declared_fields() -> list[tuple[str, str]]:
    found = []
    for aggregate in RECORD_TYPES:
        for name, value in vars(aggregate).items():
            if isinstance(value, type):
                found += [(f"{aggregate.__name__}.{name}", path) for path in declared(value)]
    return found


def test_every_declared_personal_field_is_in_the_register() -> None:
    rows = [line for line in REGISTER.read_text().splitlines() if line.startswith("| `")]
    missing = [
        f"{event} {path}"
        for event, path in declared_fields()
        if not any(f"`{event}`" in row and f"`{path}`" in row for row in rows)
    ]
    assert len(declared_fields()) >= 20
    assert not missing, f"docs/personal-data.md does not list: {missing}"
