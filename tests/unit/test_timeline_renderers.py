"""The four renderers over an in-memory timeline: each output parsed by a real parser."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import jsonschema
import pytest
from icalendar import Calendar

from domain.values import Actor, Role
from infrastructure.views.timeline import (
    ENTRY_FIELDS,
    IssueHeading,
    Summary,
    TaskForceSpan,
    TimelineFilter,
    TimelineRow,
)
from interfaces.exports import ExportFormat, as_ics, render
from interfaces.exports.as_json import TIMELINE_JSON_SCHEMA
from interfaces.exports.streaming import buffered
from interfaces.exports.svg import Axis

CALENDAR = "Samverkan \N{EN DASH} "
ISSUE = "5d1b7c8e-3f0a-4c1e-9a57-0b2f6d4e8a11"
TASK_FORCE = "8e2c9d0f-4a1b-4d2f-8b68-1c3a7e5f9b22"
DECISION = "9f3dae10-5b2c-4e30-9c79-2d4b8f6a0c33"
OUTCOME = "a04ebf21-6c3d-4f41-8d8a-3e5c9a7b1d44"
KARIN, PER = "b15fc032-7d4e-4a52-9e9b-4f6dab8c2e55", "c26ad143-8e5f-4b63-8fac-5a7ebc9d3f66"


def row(day: date, kind: str, record_type: str, record_id: str, title: str, **extra: Any) -> Any:
    values = {
        "date": day,
        "kind": kind,
        "municipality": "0561",
        "locality": "Falerum",
        "issue_id": ISSUE,
        "record_type": record_type,
        "record_id": record_id,
        "title": title,
        "actor_role": "caseworker",
        "actor_user": "anna.lind",
        "subject": None,
        "position": day.toordinal(),
        "entry_key": kind,
        **extra,
    }
    return TimelineRow(**values)


ROWS = [
    row(date(2025, 3, 4), "issue_opened", "issue", ISSUE, 'Butiken i Falerum, "Konsum"'),
    row(date(2025, 3, 20), "task_force_formed", "task_force", TASK_FORCE, "Insatsstyrka Åby"),
    row(
        date(2025, 4, 2),
        "lead_handed_over",
        "task_force",
        TASK_FORCE,
        "Insatsstyrka Åby",
        subject=PER,
    ),
    row(date(2025, 5, 6), "decision_adopted", "decision", DECISION, "Servicepunkt i Falerum"),
    row(date(2025, 6, 1), "outcome_recorded", "outcome", OUTCOME, "Butiken öppen\nsex dagar"),
    row(
        date(2025, 9, 30),
        "task_force_due",
        "task_force",
        TASK_FORCE,
        "Insatsstyrka Åby",
        actor_role=None,
        actor_user=None,
    ),
]
HEADING = IssueHeading(
    ISSUE, "0561", "Falerum", "Butiken i Falerum", "groceries", "open", None, 1, None
)
SPAN = TaskForceSpan(
    TASK_FORCE,
    "Insatsstyrka Åby",
    "active",
    date(2025, 3, 20),
    date(2025, 9, 30),
    None,
    {KARIN: "Karin Berg", PER: "Per Ström"},
    {},
)


@dataclass
class FakeTimeline:
    """The query's interface over a list, as the renderers see it."""

    rows: list[TimelineRow]
    actor: Actor = field(default_factory=lambda: Actor("revisor.1", Role.AUDITOR, "*"))
    filter: TimelineFilter = field(default_factory=TimelineFilter)
    pseudonymised: bool = False

    def entries(self, issue_id: str | None = None, counted: bool = True) -> Iterator[TimelineRow]:
        kinds = self.filter.kinds
        return iter([r for r in self.rows if kinds is None or r.kind in kinds])

    def summary(self) -> Summary:
        return Summary(len(self.rows), self.rows[0].date, self.rows[-1].date)

    def issues(self) -> Iterator[IssueHeading]:
        return iter([HEADING])

    def task_forces(self, issue_id: str) -> list[TaskForceSpan]:
        return [SPAN]

    def outcome_indicators(self, issue_id: str) -> list[tuple[Any, list[dict[str, Any]]]]:
        return []

    def service_impacts(self, issue_id: str) -> list[tuple[str, str, Any]]:
        return []

    def narrowed(self, **changes: Any) -> FakeTimeline:
        return replace(self, filter=replace(self.filter, **changes))


def rendered(fmt: ExportFormat, timeline: FakeTimeline | None = None, lang: str = "sv") -> bytes:
    return b"".join(render(timeline or FakeTimeline(ROWS), fmt, lang))  # type: ignore[arg-type]


def test_csv_has_a_bom_the_header_in_order_and_survives_quotes_and_newlines() -> None:
    body = rendered(ExportFormat.CSV)
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    records = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert records[0] == [*ENTRY_FIELDS, "registration_number"]  # the contract's, then ours
    assert len(records) == 1 + len(ROWS)
    assert records[1][7] == 'Butiken i Falerum, "Konsum"'
    assert records[2][7] == "Insatsstyrka Åby"
    assert records[5][7] == "Butiken öppen\nsex dagar"
    assert records[6][8] == ""  # no actor on a deadline


def test_json_is_one_document_that_matches_its_schema() -> None:
    document = json.loads(rendered(ExportFormat.JSON))
    jsonschema.Draft202012Validator(TIMELINE_JSON_SCHEMA).validate(document)
    assert [list(item) for item in document["items"]] == [list(ENTRY_FIELDS)] * len(ROWS)
    assert document["items"][1]["title"] == "Insatsstyrka Åby"
    assert document["items"][-1]["actor_role"] is None


def test_the_json_schema_rejects_an_entry_with_a_name_in_it() -> None:
    document = json.loads(rendered(ExportFormat.JSON))
    document["items"][0]["actor_user"] = "anna.lind"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(TIMELINE_JSON_SCHEMA).validate(document)


def test_an_empty_timeline_is_still_a_valid_document() -> None:
    assert json.loads(rendered(ExportFormat.JSON, FakeTimeline([]))) == {"items": []}


def test_ics_holds_all_day_events_for_deadlines_adoptions_and_observations() -> None:
    calendar = Calendar.from_ical(rendered(ExportFormat.ICS))
    assert str(calendar["X-WR-CALNAME"]) == CALENDAR + "Hela programmet"
    events = calendar.walk("VEVENT")
    uids = [f"{TASK_FORCE}-due", f"{DECISION}-adopted", f"{OUTCOME}-observed"]
    assert sorted(str(e["UID"]) for e in events) == sorted(f"{u}@samverkan.se" for u in uids)
    due = next(e for e in events if str(e["UID"]).startswith(TASK_FORCE))
    assert due.decoded("DTSTART") == date(2025, 9, 30)
    assert due.decoded("DTEND") == date(2025, 10, 1)
    assert str(due["SUMMARY"]) == "Insatsstyrkans slutdatum: Insatsstyrka Åby"


def test_an_extended_deadline_keeps_its_calendar_uid() -> None:
    moved = [*ROWS[:-1], ROWS[-1]._replace(date=date(2025, 12, 15))]
    before, after = (
        {str(e["UID"]): e.decoded("DTSTART") for e in Calendar.from_ical(body).walk("VEVENT")}
        for body in (rendered(ExportFormat.ICS), rendered(ExportFormat.ICS, FakeTimeline(moved)))
    )
    assert set(before) == set(after)
    uid = f"{TASK_FORCE}-due@samverkan.se"
    assert (before[uid], after[uid]) == (date(2025, 9, 30), date(2025, 12, 15))


def test_the_calendar_names_the_municipality_asked_for() -> None:
    timeline = FakeTimeline(ROWS, filter=TimelineFilter(municipality="0840"))
    calendar = Calendar.from_ical(b"".join(as_ics.render(timeline)))  # type: ignore[arg-type]
    assert str(calendar["X-WR-CALNAME"]) == CALENDAR + "Mörbylånga"


def test_html_is_swedish_by_default_with_a_legend_bars_and_markers() -> None:
    page = rendered(ExportFormat.HTML).decode()
    assert '<html lang="sv">' in page
    assert "Teckenförklaring" in page and "Butiken i Falerum" in page
    assert 'class="bar active"' in page
    assert 'class="adopted"' in page and 'class="outcome"' in page and 'class="due"' in page
    assert "<script" not in page
    assert "anna.lind (caseworker) → Per Ström" in page


def test_html_in_english_with_lang_en() -> None:
    page = rendered(ExportFormat.HTML, lang="en").decode()
    assert '<html lang="en">' in page and "Legend" in page and "Decision adopted" in page


def test_html_for_evaluators_shows_pseudonyms_never_names_or_user_ids() -> None:
    timeline = FakeTimeline(ROWS, actor=Actor("forskare.1", Role.EVALUATOR, "*"))
    timeline.pseudonymised = True
    page = rendered(ExportFormat.HTML, timeline).decode()
    assert re.search(r"Handläggare [2-9A-Z]{3} \(caseworker\) → Medlem [2-9A-Z]{3}", page)
    for secret in ("anna.lind", "Per Ström", "Karin Berg", PER):
        assert secret not in page


def test_html_escapes_titles() -> None:
    hostile = [ROWS[0]._replace(title="<script>alert(1)</script>")]
    page = rendered(ExportFormat.HTML, FakeTimeline(hostile)).decode()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_axis_maps_dates_into_the_plot_and_labels_months() -> None:
    axis = Axis.spanning(date(2025, 1, 1), date(2025, 12, 31), "sv")
    assert axis.x(date(2025, 1, 1)) < axis.x(date(2025, 7, 1)) < axis.x(date(2025, 12, 31))
    assert axis.x(date(1990, 1, 1)) == axis.x(axis.start)  # clamped, never off the page
    labels = [tick.label for tick in axis.ticks()]
    assert labels[0] == "jan 2025" and "maj 2025" in labels and len(labels) <= 12


def test_buffered_joins_small_pieces_into_sizeable_utf8_chunks() -> None:
    chunks = list(buffered(["å"] * 10, size=4))
    assert b"".join(chunks).decode() == "å" * 10
    assert len(chunks) == 3


def test_the_first_and_last_representable_dates_render_in_every_format() -> None:
    edges = [ROWS[0]._replace(date=date.min), ROWS[-1]._replace(date=date.max)]
    for fmt in ExportFormat:
        assert rendered(fmt, FakeTimeline(edges))
    calendar = Calendar.from_ical(rendered(ExportFormat.ICS, FakeTimeline(edges)))
    assert [e.decoded("DTSTART") for e in calendar.walk("VEVENT")] == [date.max]
