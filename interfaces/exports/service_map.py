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
        "{far} av {total} orter har längre än {km} km till närmaste öppna service.",
        "{far} of {total} localities are more than {km} km from the nearest open service.",
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


def project(items: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Coordinates to SVG points inside the drawing, north up."""
    if not items:
        return []
    lats = [i["latitude"] for i in items]
    lons = [i["longitude"] for i in items]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    unit = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
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
        Dot(x, y, access_class(i), i["name"], _title(i, t))
        for i, (x, y) in zip(items, project(items), strict=True)
    ]
    km = f"{beyond_km:g}"
    return TEMPLATES.get_template("service_access.html.j2").render(
        t=t,
        lang=lang,
        place=place_name(municipality, lang),
        kind=word(CATEGORIES, kind, lang),
        km=km,
        width=WIDTH,
        height=HEIGHT,
        dots=dots,
        rows=[(i, access_class(i)) for i in ordered],
        summary=t("summary").format(
            far=sum(1 for i in items if i["beyond"]), total=len(items), km=km
        ),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _title(item: dict[str, Any], t: Any) -> str:
    near = item["nearest"]
    if near is None:
        return f"{item['name']}: {t('none')}"
    return f"{item['name']}: {near['service_name']}, {near['name']} ({near['km']:g} km)"
