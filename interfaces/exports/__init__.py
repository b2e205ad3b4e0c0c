"""Timeline exports: one timeline model (`infrastructure.views.timeline`), one renderer per format.

Every renderer is a generator of byte chunks, so the HTTP route and the CLI stream the same
bytes and memory stays flat whatever the size of the export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import NamedTuple

from infrastructure.views.timeline import Timeline
from interfaces.exports import as_csv, as_html, as_ics, as_json
from interfaces.exports.as_csv import Delimiter


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    ICS = "ics"
    HTML = "html"


class Language(StrEnum):
    SV = "sv"
    EN = "en"


class Renderer(NamedTuple):
    media_type: str
    extension: str
    render: Callable[[Timeline, str], Iterator[bytes]]
    narrowed: Callable[[Timeline], Timeline]


def _same(timeline: Timeline) -> Timeline:
    return timeline


RENDERERS: dict[ExportFormat, Renderer] = {
    ExportFormat.JSON: Renderer(as_json.MEDIA_TYPE, "json", as_json.render, _same),
    ExportFormat.CSV: Renderer(as_csv.MEDIA_TYPE, "csv", as_csv.render, _same),
    ExportFormat.ICS: Renderer(as_ics.MEDIA_TYPE, "ics", as_ics.render, as_ics.narrowed),
    ExportFormat.HTML: Renderer(as_html.MEDIA_TYPE, "html", as_html.render, _same),
}


def render(
    timeline: Timeline,
    fmt: ExportFormat,
    lang: str = "sv",
    delimiter: Delimiter = Delimiter.COMMA,
) -> Iterator[bytes]:
    """The export as byte chunks, produced only as fast as they are consumed."""
    if fmt is ExportFormat.CSV:
        return as_csv.render(timeline, lang, delimiter)
    return RENDERERS[fmt].render(timeline, lang)


def entries_to_write(timeline: Timeline, fmt: ExportFormat) -> int:
    """How many entries the format writes: the total for a progress bar."""
    return RENDERERS[fmt].narrowed(timeline).summary().count


def filename(fmt: ExportFormat, scope: str | None) -> str:
    return f"samverkan-timeline-{scope or 'all'}.{RENDERERS[fmt].extension}".replace("*", "all")
