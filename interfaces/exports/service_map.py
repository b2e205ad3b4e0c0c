"""HTML: the service-access page, a printable map of a municipality's localities (Jinja2 + SVG).

Each locality is a dot at its coordinates (an equirectangular projection, with longitude scaled
by the cosine of the mean latitude so distances look right at Swedish latitudes), coloured by
access: its own open service, the nearest within `beyond_km`, or beyond it (or none at all).
No script, no tiles, no network: the page prints as it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from interfaces.exports.as_html import TEMPLATES
from interfaces.exports.labels import CATEGORIES, LANGUAGES, place_name, word

WIDTH, HEIGHT, MARGIN = 900.0, 560.0, 60.0
KM_PER_DEGREE = 111.195  # of latitude, on a sphere of the mean Earth radius
SCALE_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Tillgång till service", "Access to services"),
    "kind": ("Tjänst", "Service"),
    "beyond": ("Gräns", "Limit"),
    "generated": ("Skapad", "Generated"),
    "own": ("Egen service i orten", "A service in the locality itself"),
    "near": ("Närmaste inom gränsen", "Nearest within the limit"),
    "far": ("Längre än gränsen, eller ingen alls", "Beyond the limit, or none at all"),
    "locality": ("Ort", "Locality"),
    "nearest": ("Närmaste service", "Nearest service"),
    "distance": ("Avstånd", "Distance"),
    "none": ("ingen öppen service", "no open service"),
    "summary": (
        "{far} av {total} orter har längre än {km} till närmaste öppna service.",
        "{far} of {total} localities are more than {km} from the nearest open service.",
    ),
    "no_localities": (
        "Inga orter med koordinater är registrerade.",
        "No localities with coordinates are registered.",
    ),
    "method": (
        "Avstånd fågelvägen (storcirkel). Bara orter med koordinater visas.",
        "Great-circle distances. Only localities with coordinates are shown.",
    ),
}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    css: str
    label: str
    title: str


def access_class(item: dict[str, Any]) -> str:
    if item["nearest"] is not None and item["nearest"]["km"] == 0:
        return "own"
    return "far" if item["beyond"] else "near"


@dataclass(frozen=True)
class ScaleBar:
    """A round distance and its length on the map, for the bar in the corner."""

    km: int
    length: float


def scale_bar(items: list[dict[str, Any]]) -> ScaleBar | None:
    """The largest round distance that fits in a fifth of the map's width."""
    if len(items) < 2:
        return None
    per_km = _unit(items) / KM_PER_DEGREE
    fitting = [km for km in SCALE_STEPS if km * per_km <= WIDTH / 5]
    km = fitting[-1] if fitting else SCALE_STEPS[0]
    return ScaleBar(km, round(km * per_km, 1))


def _unit(items: list[dict[str, Any]]) -> float:
    """SVG units per degree of latitude."""
    lats = [i["latitude"] for i in items]
    lons = [i["longitude"] for i in items]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    return min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)


def km_text(km: float, lang: str) -> str:
    """A distance as people write it: `36,5 km` in Swedish, `36.5 km` in English."""
    number = f"{km:g}"
    return (number.replace(".", ",") if lang == "sv" else number) + "\N{NO-BREAK SPACE}km"


def project(items: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Coordinates to SVG points inside the drawing, north up."""
    if not items:
        return []
    lats = [i["latitude"] for i in items]
    lons = [i["longitude"] for i in items]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    unit = _unit(items)
    left, bottom = (WIDTH - span_x * unit) / 2, (HEIGHT + span_y * unit) / 2  # centred
    return [
        (
            round(left + (lon - min(lons)) * scale_x * unit, 1),
            round(bottom - (lat - min(lats)) * unit, 1),
        )
        for lat, lon in zip(lats, lons, strict=True)
    ]


def render(
    items: list[dict[str, Any]], municipality: str | None, kind: str, beyond_km: float, lang: str
) -> str:
    """The whole page; `items` as the JSON report gives them."""
    lang = lang if lang in LANGUAGES else "sv"

    def t(key: str) -> str:
        return word(TEXT, key, lang)

    ordered = sorted(items, key=lambda i: (not i["beyond"], i["name"]))
    dots = [
        Dot(x, y, access_class(i), i["name"], _title(i, t, lang))
        for i, (x, y) in zip(items, project(items), strict=True)
    ]
    km = km_text(beyond_km, lang)
    return TEMPLATES.get_template("service_access.html.j2").render(
        t=t,
        lang=lang,
        place=place_name(municipality, lang),
        kind=word(CATEGORIES, kind, lang),
        km=km,
        width=WIDTH,
        height=HEIGHT,
        dots=dots,
        rows=[(i, access_class(i), _distance(i, lang)) for i in ordered],
        scale=scale_bar(items),
        scale_text=lambda bar: km_text(bar.km, lang),
        summary=t("summary").format(
            far=sum(1 for i in items if i["beyond"]), total=len(items), km=km
        ),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _distance(item: dict[str, Any], lang: str) -> str:
    return "\N{EN DASH}" if item["nearest"] is None else km_text(item["nearest"]["km"], lang)


def _title(item: dict[str, Any], t: Any, lang: str) -> str:
    near = item["nearest"]
    if near is None:
        return f"{item['name']}: {t('none')}"
    return f"{item['name']}: {near['service_name']}, {near['name']} ({_distance(item, lang)})"
