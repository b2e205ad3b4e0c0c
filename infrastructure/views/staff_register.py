"""Who has left: an in-process copy of the departed users in `staff_member_view`.

Every request's token is checked against it, so the check must cost nothing measurable: a
lookup in a frozen set. The set is reloaded when it is older than a few seconds (so other
processes' departures and returns arrive soon), and at once in the process that recorded one.
"""

from __future__ import annotations

import threading
import time

import structlog
from sqlalchemy import select

from domain.staff import StaffStatus
from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.tokens import InvalidTokenError
from infrastructure.views.read_models import VIEWS

REFRESH_SECONDS = 5.0
logger = structlog.get_logger("samverkan.staff")


class DepartedUserError(InvalidTokenError):
    """A valid token of a user recorded as departed from the municipality."""

    def __init__(self, actor: Actor) -> None:
        super().__init__(
            f"{actor.user_id} is recorded as departed from municipality {actor.municipality}; "
            "their token is no longer accepted. A return (POST /api/v1/staff/{user_id}/return) "
            "restores it."
        )


class DepartedUsers:
    """The (municipality, user id) pairs whose tokens are refused."""

    def __init__(self, events: EventStore, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.events = events
        self.refresh_seconds = refresh_seconds
        self._departed: frozenset[tuple[str, str]] = frozenset()
        self._loaded_at = -float("inf")
        self._refreshing = threading.Lock()

    def require_present(self, actor: Actor) -> None:
        """Raise DepartedUserError if the caller has left their municipality."""
        if time.monotonic() - self._loaded_at > self.refresh_seconds:
            self._refresh_in_passing()
        if (actor.municipality, actor.user_id) in self._departed:
            raise DepartedUserError(actor)

    def refresh(self) -> None:
        """Reload from the view now: after this process recorded a departure or a return."""
        staff = VIEWS["staff_member"]
        with self.events.reading() as session:
            rows = session.execute(
                select(staff.c.municipality, staff.c.user_id).where(
                    staff.c.status == StaffStatus.DEPARTED
                )
            ).all()
        self._departed = frozenset((m, u) for m, u in rows)  # one atomic swap for readers
        self._loaded_at = time.monotonic()

    def changed(self) -> None:
        """This process recorded a departure or a return: reload now, never failing the
        command that already committed (if the read fails, the next request reloads)."""
        try:
            self.refresh()
        except Exception as error:
            logger.warning("departed users not refreshed", error=type(error).__name__)
            self._loaded_at = -float("inf")

    def _refresh_in_passing(self) -> None:
        # One request reloads while the others go on with the set they have.
        if not self._refreshing.acquire(blocking=False):
            return
        try:
            self.refresh()
        except Exception as error:  # a database outage must not fail every request here
            logger.warning("departed users not refreshed", error=type(error).__name__)
            self._loaded_at = time.monotonic()  # try again after the interval, not each request
        finally:
            self._refreshing.release()
