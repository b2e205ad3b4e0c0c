"""Registration numbers (diarienummer): `<municipality>-<year>/<serial>`, e.g. "2462-2026/0017".

Serials count from 1 per municipality and year, with no gaps. Which serial is next is not a
domain question (it needs every issue of the year); the application asks the store for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = r"^[0-9]{4}-[0-9]{4}/[0-9]{4,}$"
_PARTS = re.compile(r"^([0-9]{4})-([0-9]{4})/([0-9]{4,})$")


@dataclass(frozen=True)
class RegistrationNumber:
    """One issue's number in the municipality's register of the year."""

    municipality: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.municipality}-{self.year:04d}/{self.serial:04d}"

    @classmethod
    def parse(cls, text: str) -> RegistrationNumber:
        match = _PARTS.match(text)
        if match is None:
            raise ValueError(f"Not a registration number: {text!r}")
        municipality, year, serial = match.groups()
        return cls(municipality, int(year), int(serial))
