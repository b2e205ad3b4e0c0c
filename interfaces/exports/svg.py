"""Geometry of the SVG timeline: a shared date axis, lanes, and one marker shape per kind."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from infrastructure.views.timeline import TimelineRow

LEFT, RIGHT, TOP, LANE_HEIGHT = 230.0, 985.0, 30.0, 24.0
MONTHS = {
    "sv": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
# kind -> (shape, css class); anything else is a small tick on its lane
SHAPES = {
    "task_force_due": ("diamond", "due"),
    "lead_handed_over": ("triangle", "handover"),
    "decision_adopted": ("circle", "adopted"),
    "decision_proposed": ("circle", "decision-other"),
    "decision_rejected": ("circle", "decision-other"),
    "decision_revoked": ("circle", "decision-other"),
    "decision_superseded": ("circle", "decision-other"),
    "outcome_recorded": ("square", "outcome"),
    "outcome_verified": ("square", "outcome"),
    "outcome_corrected": ("square", "outcome-other"),
    "outcome_retracted": ("square", "outcome-other"),
    "service_opened": ("triangle", "service-opened"),
    "service_closed": ("cross", "service-closed"),
}


class Marker(NamedTuple):
    x: float
    y: float
    shape: str
    css: str
    label: str


class Tick(NamedTuple):
    x: float
    label: str


@dataclass(frozen=True)
class Axis:
    """Dates to x coordinates, the same for every issue on the page."""

    start: date
    end: date
    lang: str = "sv"

    @classmethod
    def spanning(cls, first: date, last: date, lang: str) -> Axis:
        days = max((last - first).days, 1)
        pad = max(2, math.ceil(days * 0.02))
        start = date.fromordinal(max(first.toordinal() - pad, date.min.toordinal()))
        end = date.fromordinal(min(last.toordinal() + pad, date.max.toordinal()))
        return cls(start, max(end, start + timedelta(days=1)), lang)

    def x(self, day: date) -> float:
        span = (self.end - self.start).days
        offset = min(max((day - self.start).days, 0), span)
        return round(LEFT + (RIGHT - LEFT) * offset / span, 1)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def ticks(self) -> list[Tick]:
        """Month starts, thinned to at most about a dozen labels."""
        months = []
        cursor = date(self.start.year, self.start.month, 1)
        while cursor <= self.end:
            if cursor >= self.start:
                months.append(cursor)
            if cursor.year == date.max.year and cursor.month == 12:
                break
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        step = max(1, math.ceil(len(months) / 12))
        names = MONTHS[self.lang]
        return [Tick(self.x(m), f"{names[m.month - 1]} {m.year}") for m in months[::step]]

    def today(self) -> float | None:
        today = datetime.now(UTC).date()
        return self.x(today) if self.covers(today) else None


def marker_for(row: TimelineRow, axis: Axis, y: float, label: str) -> Marker:
    shape, css = SHAPES.get(row.kind, ("tick", "event"))
    return Marker(axis.x(row.date), y, shape, css, label)
