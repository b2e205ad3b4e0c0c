"""Timeline exports for evaluators (and everyone else): JSON, CSV, iCalendar and HTML, streamed."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator

from domain.values import Category
from infrastructure.views.timeline import TimelineFilter, TimelineQueries
from interfaces.exports import RENDERERS, Delimiter, ExportFormat, Language, filename, render
from interfaces.exports.as_json import TIMELINE_JSON_SCHEMA
from interfaces.http.problems import responses
from interfaces.http.security import FeedCallerDep

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

Code = Annotated[
    str | None, Query(pattern=r"^[0-9]{4}$", description="Only this municipality (kommunkod).")
]


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD`: lax parsing would read `0` as 1970-01-01."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Use a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The timeline, streamed in the requested format.",
        "content": {
            "application/json": {"schema": TIMELINE_JSON_SCHEMA},
            "text/csv": {
                "schema": {"type": "string"},
                "example": "\ufeffdate,kind,municipality,locality,issue_id,record_type,"
                "record_id,title,actor_role,registration_number\r\n",
            },
            "text/calendar": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
    **responses(401, 403, 404, 422, 429, 503),
}

DESCRIPTION = """
One entry per milestone, sorted by date, with exactly the fields `date, kind, municipality,
locality, issue_id, record_type, record_id, title, actor_role`.

- `json`: one document `{"items": [...]}` (schema below).
- `csv`: RFC 4180, UTF-8 with a byte order mark (so spreadsheets read å, ä and ö), CRLF line
  ends, a header row of the entry fields in order, then one extra last column,
  `registration_number`: the issue's diarienummer. Empty cells stand for null. Fields are
  separated by commas, or by semicolons with `delimiter=semicolon`, as Swedish spreadsheets
  expect.
- `ics`: RFC 5545. Task force deadlines, decision adoptions and outcome observations become
  all-day events whose UIDs stay the same between downloads, so a subscription updates.
- `html`: a self-contained printable page with an SVG timeline per issue; Swedish by default,
  English with `lang=en`.

Corrections are entries of their own: `note_corrected` and `note_withdrawn` (dated on the
corrected `occurred_on` where one is given, else on the day of the correction) and
`decision_corrected` (dated on the corrected `decided_on`, else the day); the entry they correct
keeps the date it was recorded with, as the history does. The HTML page heads each issue with its
registration number.

A service's opening and closing in a locality (`service_opened`, `service_closed`, with
`record_type` `locality` and `record_id` the locality's id) show on the timeline of every issue
whose `locality` names that registered locality, each issue with its own copy of the entry (its
`issue_id`), also on issues opened later. An opening is dated on its `opened_on` (else the day it
was recorded); a closing on its `closed_on`, its `title` is the service's name and the reason,
and `actor_role` (and in the HTML page the person, a pseudonym for evaluators) says who recorded
it. A service in a locality no issue names is on no timeline. In `ics` each opening and closing
is one event, whatever the number of issues in its locality.

`issue_id` includes the issue's sub-issues. Evaluators never see non-public dialogue notes, and
see pseudonyms instead of names in the HTML page. A foreign or unknown `issue_id` is 404.
"""


@router.get(
    "/timeline",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
    summary="A timeline of milestones, as JSON, CSV, iCalendar or HTML",
    description=DESCRIPTION,
)
def export_timeline(
    request: Request,
    caller: FeedCallerDep,
    municipality: Code = None,
    issue_id: Annotated[UUID | None, Query(description="An issue and its sub-issues.")] = None,
    category: Annotated[Category | None, Query(description="The issue's category.")] = None,
    date_from: Annotated[IsoDate | None, Query(alias="from", description="From this day.")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="To this day.")] = None,
    fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.JSON,
    lang: Language = Language.SV,
    delimiter: Annotated[
        Delimiter, Query(description="CSV only: `comma` (RFC 4180) or `semicolon`.")
    ] = Delimiter.COMMA,
) -> StreamingResponse:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "`to` must not be before `from`.", "type": "value"}]
        )
    samverkan = request.app.state.samverkan
    wanted = TimelineFilter(municipality, issue_id, category, date_from, date_to)
    # Opening checks the role and the issue now, so a refusal is a problem, not a cut stream.
    timeline = TimelineQueries(samverkan.events, samverkan.policy).open(caller, wanted)
    renderer = RENDERERS[fmt]
    headers = {"Cache-Control": "private, no-store"}
    if fmt in (ExportFormat.CSV, ExportFormat.ICS):
        name = filename(fmt, municipality or caller.municipality)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return StreamingResponse(
        render(timeline, fmt, lang, delimiter), media_type=renderer.media_type, headers=headers
    )
