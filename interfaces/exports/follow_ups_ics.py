"""Follow-ups (bevakningar) as iCalendar (RFC 5545), built with `icalendar`.

One all-day VEVENT per follow-up. The UID derives from the issue, which has at most one
follow-up, so a subscribed calendar moves the event when the date changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from interfaces.exports.as_ics import UID_DOMAIN

MEDIA_TYPE = "text/calendar; charset=utf-8"


def follow_ups_calendar(items: Iterable[dict[str, Any]]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Samverkan//Bevakningar//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Samverkan \N{EN DASH} bevakningar")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in items:
        calendar.add_component(_event(item, stamp))
    return calendar.to_ical()  # type: ignore[no-any-return]


def _event(item: dict[str, Any], stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{item['issue_id']}-follow-up@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item["due_on"])
    event.add("dtend", item["due_on"] + timedelta(days=1))
    event.add("summary", f"Bevakning: {item['title']}")
    event.add("location", item["locality"])
    lines = [item["note"] or "", f"issue_id: {item['issue_id']}"]
    if item["overdue"]:
        lines.insert(0, f"Försenad {item['days_overdue']} dagar.")
    event.add("description", "\n".join(line for line in lines if line))
    event.add("categories", ["Bevakning"])
    event.add("transp", "TRANSPARENT")
    return event
