"""Small SVG charts for the HTML timeline (Ludvika): one per outcome indicator of an issue,
its values over time as a line, with the baseline and the target as dashed lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from infrastructure.views.timeline import Timeline
from interfaces.exports.labels import CATEGORIES, word

WIDTH, HEIGHT, PAD = 300.0, 90.0, 14.0


@dataclass(frozen=True)
class Chart:
    name: str
    unit: str
    points: str  # "x,y x,y ..." for a polyline
    dots: list[tuple[float, float, str]]  # x, y, tooltip
    baseline_y: float | None
    target_y: float | None
    first: str
    latest: str
    baseline: str | None
    target: str | None


def charts_for(timeline: Timeline, issue_id: str) -> list[Chart]:
    rows = timeline.outcome_indicators(issue_id)
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for observed_on, indicators in rows:
        for i in indicators:
            entry = series.setdefault(
                (i["name"], i["unit"]), {"points": [], "baseline": None, "target": None}
            )
            entry["points"].append((observed_on, Decimal(i["value"])))
            for field in ("baseline", "target"):
                if i.get(field) is not None:
                    entry[field] = Decimal(i[field])
    return [_chart(name, unit, s) for (name, unit), s in series.items()]


def _chart(name: str, unit: str, s: dict[str, Any]) -> Chart:
    points: list[tuple[date, Decimal]] = s["points"]
    values = [v for _, v in points] + [v for v in (s["baseline"], s["target"]) if v is not None]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    first_day, last_day = points[0][0], points[-1][0]
    days = (last_day - first_day).days or 1

    def x(day: date) -> float:
        if len(points) == 1:
            return WIDTH / 2
        return round(PAD + (WIDTH - 2 * PAD) * (day - first_day).days / days, 1)

    def y(value: Decimal) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * float((value - low) / span), 1)

    dots = [(x(d), y(v), f"{d}: {v} {unit}") for d, v in points]
    return Chart(
        name=name,
        unit=unit,
        points=" ".join(f"{dx},{dy}" for dx, dy, _ in dots),
        dots=dots,
        baseline_y=None if s["baseline"] is None else y(s["baseline"]),
        target_y=None if s["target"] is None else y(s["target"]),
        first=str(points[0][1]),
        latest=str(points[-1][1]),
        baseline=None if s["baseline"] is None else str(s["baseline"]),
        target=None if s["target"] is None else str(s["target"]),
    )


EFFECTS = {
    "positive": ("positiv", "positive"),
    "negative": ("negativ", "negative"),
    "neutral": ("neutral", "neutral"),
}


def impact_text(impact: dict[str, Any] | None, lang: str) -> str:
    """A decision's service impact in one line (Vetlanda's rule), or that it was not assessed."""
    sv = lang != "en"
    if impact is None:
        return "ej bedömd" if sv else "not assessed"
    if impact.get("none_expected"):
        return ("ingen påverkan väntas: " if sv else "no impact expected: ") + impact["note"]
    parts = []
    for e in impact["effects"]:
        effect = EFFECTS[e["effect"]][0 if sv else 1]
        kind = word(CATEGORIES, e["service_kind"], "sv" if sv else "en").lower()
        note = f" ({e['note']})" if e.get("note") else ""
        parts.append(
            f"{kind} i {e['locality']}: {effect}{note}"
            if sv
            else f"{kind} in {e['locality']}: {effect}{note}"
        )
    return "; ".join(parts)
