"""The base aggregate: every event carries its actor, command id and correlation id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain import clock
from domain.errors import BlankTextError
from domain.values import Provenance


class CaseAggregate(Aggregate):
    """An aggregate that belongs to one municipality and records who changed it."""

    municipality: str

    class Event(Aggregate.Event):
        """Every event class has a version; one whose stored shape changes raises it and says
        how to read the older shape (`upcast_vN_vM`). See docs/event-evolution.md."""

        class_version = 1
        actor: dict[str, str]
        command_id: str
        correlation_id: str

        @staticmethod
        def create_timestamp() -> datetime:
            # The real time, unless an in-process loader injected one (see domain/clock.py).
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass

    def _record(self, event_class: type[Aggregate.Event], by: Provenance, **fields: Any) -> None:
        self.trigger_event(event_class, **fields, **by.event_fields())


def require_text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise BlankTextError(f"{what} must not be empty.")
    return value
