"""iCalendar (RFC 5545), built with `icalendar`: the dates an evaluator plans around.

Five kinds become all-day VEVENTs: a task force's deadline, a decision's adoption, an
outcome's observation, and a service's opening and closing in an issue's locality. Every other
entry is history, not a date in a calendar. UIDs derive from the record id (a service's own id
for its opening and closing), so a subscribed calendar moves a deadline when its mandate is
extended instead of adding a second one. A service entry shows on each issue of its locality,
but is one event in the calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from infrastructure.views.timeline import Timeline, TimelineRow
from interfaces.exports.labels import KINDS, TEXT, place_name, word

MEDIA_TYPE = "text/calendar; charset=utf-8"
CALENDAR_KINDS = {
    "task_force_due": "due",
    "decision_adopted": "adopted",
    "outcome_recorded": "observed",
    "service_opened": "opened",
    "service_closed": "closed",
}
END = b"END:VCALENDAR\r\n"
UID_DOMAIN = "samverkan.se"


def narrowed(timeline: Timeline) -> Timeline:
    """Only the entries that become calendar events are read at all."""
    return timeline.narrowed(kinds=frozenset(CALENDAR_KINDS))


def render(timeline: Timeline, lang: str = "sv") -> Iterator[bytes]:
    stamp = datetime.now(UTC).replace(microsecond=0)
    name = place_name(timeline.filter.municipality or timeline.actor.municipality, lang)
    yield _calendar(name, lang).to_ical()[: -len(END)]
    services: set[str] = set()  # service events already written: few, unlike the entries
    for row in narrowed(timeline).entries():
        if row.record_type == "locality":
            if _uid(row) in services:
                continue
            services.add(_uid(row))
        yield _event(row, stamp, lang).to_ical()
    yield END


def _calendar(name: str, lang: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//Samverkan//{word(TEXT, 'timeline', lang)}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Samverkan \N{EN DASH} {name}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _event(row: TimelineRow, stamp: datetime, lang: str) -> Event:
    event = Event()
    event.add("uid", _uid(row))
    event.add("dtstamp", stamp)
    event.add("dtstart", row.date)
    if row.date < date.max:  # without DTEND an all-day event lasts the one day anyway
        event.add("dtend", row.date + timedelta(days=1))
    event.add("summary", f"{word(KINDS, row.kind, lang)}: {row.title}")
    event.add("location", f"{row.locality}, {place_name(row.municipality, lang)}")
    event.add("description", _description(row, lang))
    event.add("categories", [word(KINDS, row.kind, lang)])
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy all day
    return event


def _uid(row: TimelineRow) -> str:
    record = row.subject if row.record_type == "locality" else row.record_id  # its service
    return f"{record}-{CALENDAR_KINDS[row.kind]}@{UID_DOMAIN}"


def _description(row: TimelineRow, lang: str) -> str:
    return "\n".join(
        (
            f"{row.kind} · {row.record_type} {row.record_id}",
            # a service's event stands for every issue of its locality
            f"service_id: {row.subject}"
            if row.record_type == "locality"
            else f"issue_id: {row.issue_id}",
            f"municipality: {row.municipality}",
        )
    )
