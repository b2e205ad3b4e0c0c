"""CSV: RFC 4180 (CRLF line ends, quotes where needed), UTF-8, a header row of the entry fields.

The body starts with a UTF-8 byte order mark. RFC 4180 allows it, the csv module reads it with
`encoding="utf-8-sig"`, and without it Excel reads the file as Windows-1252 and shows "Ã¥"
for "å": evaluators open these files in spreadsheets, so å, ä and ö must survive.

`delimiter=semicolon` writes `;` between fields instead: Swedish spreadsheets write decimals
with a comma and so expect semicolons, and open a comma-separated file as one column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from enum import StrEnum

from infrastructure.views.timeline import ENTRY_FIELDS, Timeline
from interfaces.exports.streaming import buffered

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
BOM = "\ufeff"


class Delimiter(StrEnum):
    """What separates the fields: `comma` (the default, RFC 4180) or `semicolon`."""

    COMMA = "comma"
    SEMICOLON = "semicolon"

    @property
    def char(self) -> str:
        return "," if self is Delimiter.COMMA else ";"


def render(
    timeline: Timeline, lang: str = "sv", delimiter: Delimiter = Delimiter.COMMA
) -> Iterator[bytes]:
    return buffered(_lines(timeline, delimiter))


def _lines(timeline: Timeline, delimiter: Delimiter) -> Iterator[str]:
    line = io.StringIO()
    writer = csv.writer(line, delimiter=delimiter.char, lineterminator="\r\n")
    writer.writerow((*ENTRY_FIELDS, "registration_number"))  # the issue's, as a last column
    yield BOM + _taken(line)
    for row in timeline.entries():
        values = (*row.entry().values(), row.registration_number)
        writer.writerow("" if value is None else value for value in values)
        yield _taken(line)


def _taken(line: io.StringIO) -> str:
    text = line.getvalue()
    line.seek(0)
    line.truncate()
    return text
