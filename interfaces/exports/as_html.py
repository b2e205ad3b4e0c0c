"""HTML: one self-contained, printable page with a visual timeline per issue (Jinja2 + SVG).

Streaming and grouping pull against each other: entries come sorted by date, the page groups
them by issue. The page therefore walks the issues in keyset chunks and, per issue, reads that
issue's entries twice in keyset chunks (once for the SVG markers, once for the table). Memory
holds one chunk, one issue's task forces and the pseudonym table, never the whole export; the
price is two indexed queries per issue instead of one scan. One shared date axis, read first
with an aggregate query, keeps the sections comparable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from jinja2 import Environment, PackageLoader

from domain.values import Actor
from infrastructure.views.projections import SERVICE_KINDS, TIMELINE_KINDS
from infrastructure.views.timeline import IssueHeading, TaskForceSpan, Timeline, TimelineRow
from interfaces.exports.indicator_chart import Chart, charts_for, impact_text
from interfaces.exports.labels import (
    CATEGORIES,
    KINDS,
    STATUSES,
    TEXT,
    place_name,
    translator,
    word,
)
from interfaces.exports.streaming import buffered
from interfaces.exports.svg import LANE_HEIGHT, TOP, Axis, Marker, marker_for
from interfaces.privacy import Pseudonyms

MEDIA_TYPE = "text/html; charset=utf-8"
TEMPLATES = Environment(
    loader=PackageLoader("interfaces.exports", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Bar:
    x1: float
    x2: float
    status: str
    due_x: float | None


@dataclass(frozen=True)
class Lane:
    label: str
    y: float
    bar: Bar | None = None


@dataclass(frozen=True)
class TableRow:
    date: date
    kind: str
    title: str
    who: str


@dataclass
class Section:
    """One issue: its heading, its lanes, and its markers and rows, read lazily."""

    heading: IssueHeading
    place: str
    category: str
    status: str
    lanes: list[Lane]
    height: float
    markers: Iterator[Marker]
    rows: Iterator[TableRow]
    charts: list[Chart]  # one small chart per outcome indicator
    impacts: list[tuple[str, str]]  # per decision: its title, and its service impact in words


class People:
    """Who did what, as the reader may see it: names for operators, pseudonyms for evaluators."""

    def __init__(self, pseudonymised: bool, lang: str, reader: Actor) -> None:
        self.pseudonyms = Pseudonyms.for_reader(reader, lang) if pseudonymised else None
        self.lang = lang

    def who(self, row: TimelineRow, spans: dict[str, TaskForceSpan]) -> str:
        if row.actor_user is None:
            return ""
        actor = self.pseudonyms.user(row.actor_user) if self.pseudonyms else row.actor_user
        text = f"{actor} ({row.actor_role})"
        if row.subject is not None and row.record_type == "task_force":  # a member
            text += f" → {self._member(row.subject, spans.get(row.record_id))}"
        return text

    def _member(self, member_id: str, span: TaskForceSpan | None) -> str:
        if self.pseudonyms is not None:  # the person's label, as in every other response
            subject_id = span.subjects.get(member_id) if span is not None else None
            return self.pseudonyms.member(member_id, subject_id)
        if span is not None and member_id in span.members:
            return span.members[member_id]
        return word(TEXT, "former_member", self.lang)


OWN_KINDS = frozenset({*TIMELINE_KINDS.values(), "task_force_due"} - set(SERVICE_KINDS))


def render(timeline: Timeline, lang: str = "sv") -> Iterator[bytes]:
    summary = timeline.summary()
    # The axis spans the entries, not the filter: a wide `from`/`to` leaves no empty page. It
    # spans the issues' own entries: a shop that opened decades before would squeeze the whole
    # case into the right edge, so services outside the span sit at its edge (their dates are in
    # the table and the marker's title).
    own = timeline.narrowed(kinds=OWN_KINDS).summary() if summary.count else summary
    first = own.first or summary.first or timeline.filter.date_from or datetime.now(UTC).date()
    last = own.last or summary.last or timeline.filter.date_to or first
    axis = Axis.spanning(first, last, lang)
    people = People(timeline.pseudonymised, lang, timeline.actor)
    page = {
        "lang": lang,
        "place": place_name(timeline.filter.municipality or timeline.actor.municipality, lang),
        "count": summary.count,
        "first": summary.first,
        "last": summary.last,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pseudonymised": timeline.pseudonymised,
        "axis": axis,
    }
    sections = (_section(timeline, heading, axis, people, lang) for heading in timeline.issues())
    template = TEMPLATES.get_template("timeline.html.j2")
    return buffered(template.generate(page=page, sections=sections, t=translator(lang)))


def _section(
    timeline: Timeline, heading: IssueHeading, axis: Axis, people: People, lang: str
) -> Section:
    spans = {span.id: span for span in timeline.task_forces(heading.id)}
    lanes = _lanes(spans, axis, lang)
    lane_of = {span_id: lanes[i + 1].y for i, span_id in enumerate(spans)}
    ys = {"issue": lanes[0].y, "decision": lanes[-2].y, "outcome": lanes[-1].y}

    def markers() -> Iterator[Marker]:
        for row in timeline.entries(heading.id, counted=False):
            y = lane_of.get(row.record_id, ys.get(row.record_type, ys["issue"]))
            label = f"{row.date} · {word(KINDS, row.kind, lang)}: {row.title}"
            yield marker_for(row, axis, y, label)

    def rows() -> Iterator[TableRow]:
        for row in timeline.entries(heading.id):
            who = people.who(row, spans)
            yield TableRow(row.date, word(KINDS, row.kind, lang), row.title, who)

    return Section(
        heading=heading,
        place=place_name(heading.municipality, lang),
        category=word(CATEGORIES, heading.category, lang),
        status=word(STATUSES, heading.status, lang),
        lanes=lanes,
        height=TOP + LANE_HEIGHT * len(lanes) + 8,
        markers=markers(),
        rows=rows(),
        charts=charts_for(timeline, heading.id),
        impacts=[
            (title, impact_text(impact, lang))
            for title, _, impact in timeline.service_impacts(heading.id)
        ],
    )


def _lanes(spans: dict[str, TaskForceSpan], axis: Axis, lang: str) -> list[Lane]:
    t = translator(lang)
    labels = [t("issue_lane"), *(span.name for span in spans.values())]
    labels += [t("decisions"), t("outcomes")]
    lanes = [Lane(label, TOP + LANE_HEIGHT * (i + 0.5)) for i, label in enumerate(labels)]
    for i, span in enumerate(spans.values(), start=1):
        lanes[i] = Lane(lanes[i].label, lanes[i].y, _bar(span, axis))
    return lanes


def _bar(span: TaskForceSpan, axis: Axis) -> Bar:
    end = span.ended_on or span.due_on
    return Bar(
        x1=axis.x(span.formed_on),
        x2=max(axis.x(end), axis.x(span.formed_on) + 2),
        status=span.status,
        due_x=axis.x(span.due_on) if axis.covers(span.due_on) else None,
    )
