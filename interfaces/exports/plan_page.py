"""A local plan as CSV (one row per goal and issue) and as a printable HTML page (Jinja2 + SVG)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from domain.municipalities import municipality_name
from interfaces.exports.as_html import TEMPLATES
from interfaces.exports.labels import LANGUAGES, STATUSES, word

CSV_FIELDS = (
    "goal_number",
    "goal",
    "issue_id",
    "issue_title",
    "locality",
    "issue_status",
    "outcomes",
    "verified_outcomes",
    "latest_outcome",
)
TEXT: dict[str, tuple[str, str]] = {
    "plan": ("Lokal utvecklingsplan", "Local development plan"),
    "whole_municipality": ("hela kommunen", "the whole municipality"),
    "goal": ("Mål", "Goal"),
    # counts without inflection: "1 lösta / 1 ärenden" read wrong in Swedish
    "progress": (
        "Lösta ärenden: {resolved} av {issues} · med utfall: {with_outcomes}",
        "Resolved issues: {resolved} of {issues} · with outcomes: {with_outcomes}",
    ),
    "no_issues": ("Inga ärenden kopplade till målet.", "No issues linked to the goal."),
    "issue": ("Ärende", "Issue"),
    "status": ("Status", "Status"),
    "outcome": ("Utfall", "Outcome"),
    "none_yet": ("inget ännu", "none yet"),
    "generated": ("Skapad", "Generated"),
    "verified": ("verifierat", "verified"),
    "recorded": ("registrerat", "recorded"),
}


def as_csv(goals: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for goal in goals:
        if not goal["issues"]:
            writer.writerow([goal["number"], _safe(goal["text"]), "", "", "", "", 0, 0, ""])
        for issue in goal["issues"]:
            outcomes = issue["outcomes"]
            writer.writerow(
                [
                    goal["number"],
                    _safe(goal["text"]),
                    issue["issue_id"],
                    _safe(issue["title"]),
                    _safe(issue["locality"]),
                    issue["status"],
                    len(outcomes),
                    sum(1 for o in outcomes if o["status"] == "verified"),
                    _safe(outcomes[-1]["summary"]) if outcomes else "",
                ]
            )
    return out.getvalue()


def _safe(text: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_html(plan: dict[str, Any], goals: list[dict[str, Any]], lang: str) -> str:
    lang = lang if lang in LANGUAGES else "sv"

    def t(key: str) -> str:
        return word(TEXT, key, lang)

    return TEMPLATES.get_template("local_plan.html.j2").render(
        t=t,
        lang=lang,
        plan=plan,
        goals=goals,
        place=plan["locality"] or t("whole_municipality"),
        municipality=municipality_name(plan["municipality"]),
        status=lambda s: word(STATUSES, s, lang),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
