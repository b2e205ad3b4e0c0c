"""The clock events are recorded by: the real one, except where a loader replays a past story.

The server never takes a time from a client. Only code that runs the bus in-process (the demo
loader, tests) may set `recording_at`, for the commands it runs, so that a story of 2022-2024
is recorded at times consistent with its business dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

_injected: ContextVar[datetime | None] = ContextVar("samverkan_recording_at", default=None)


def now() -> datetime:
    """The instant an event is recorded at: the injected one, or the real UTC time."""
    return _injected.get() or datetime.now(UTC)


def today() -> date:
    """The UTC day commands are judged by ("not after today", "due after forming")."""
    return now().date()


@contextmanager
def recording_at(instant: datetime) -> Iterator[None]:
    """Record every event made inside this block at `instant` (timezone-aware)."""
    if instant.tzinfo is None:
        raise ValueError("An injected instant must be timezone-aware.")
    token = _injected.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _injected.reset(token)
