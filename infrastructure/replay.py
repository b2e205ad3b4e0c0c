"""Rebuilding read models from the log, with the same projection code as the live path."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import MetaData, Table, insert, select

from domain.base import CaseAggregate
from infrastructure.event_store import EventStore
from infrastructure.projections import Projector, event_rows
from infrastructure.read_models import REBUILT_FROM_LOG, VIEWS, define_views

PAGE = 1000
Progress = Callable[[int], None]


def decoded_log(events: EventStore, after: int = 0) -> Iterator[tuple[Any, int]]:
    """Every event in the log after `after`, decoded, with its position, in position order."""
    while True:
        page = events.recorder.select_notifications(after, PAGE, inclusive_of_start=False)
        for notification in page:
            yield events.mapper.to_domain_event(notification), notification.id
        if len(page) < PAGE:
            return
        after = page[-1].id


def rebuild(
    events: EventStore, views: Mapping[str, Table], progress: Progress | None = None
) -> int:
    """Replay the whole log into `views`, which must be empty. Returns the number of events."""
    projector = Projector(views)
    aggregates: dict[UUID, CaseAggregate] = {}
    created: dict[UUID, int] = {}
    batch: list[dict[str, dict[str, Any]]] = []
    last = count = 0
    with events.transaction() as session:
        for event, position in decoded_log(events):
            aggregate = event.mutate(aggregates.get(event.originator_id))
            aggregates[event.originator_id] = aggregate
            if event.originator_version == 1:
                created[event.originator_id] = position
            # Log rows see the aggregate as it was right after the event, as the live path did.
            batch.append(event_rows(event, position, aggregate))
            last = position
            count += 1
            if len(batch) == PAGE:
                projector.write_event_rows(session, batch)
                if progress:
                    progress(len(batch))
                batch = []
        projector.write_event_rows(session, batch)
        if progress and batch:
            progress(len(batch))
        # Record rows are written once, from each aggregate's final state.
        for aggregate in aggregates.values():
            projector.write_record(session, aggregate, created[aggregate.id])
        projector.track(session, last)
    return count


def ensure_views(events: EventStore, fingerprint: str, progress: Progress | None = None) -> bool:
    """Create the views; rebuild them from the log if their definition changed (then True)."""
    engine = events.datastore.engine
    VIEWS["tracking"].metadata.create_all(engine, checkfirst=True)
    tracking = VIEWS["tracking"]
    with events.transaction() as session:
        row = session.execute(select(tracking).where(tracking.c.name == "views")).first()
        if row is not None and row.schema == fingerprint:
            return False
        if row is None:
            session.execute(insert(tracking).values(name="views", position=0, schema=fingerprint))
        else:
            session.execute(tracking.update().values(schema=fingerprint, position=0))
    for name in REBUILT_FROM_LOG:
        VIEWS[name].drop(engine, checkfirst=True)
        VIEWS[name].create(engine)
    rebuild(events, VIEWS, progress)
    return True


def fresh_views(events: EventStore, suffix: str = "_replay") -> dict[str, Table]:
    """An empty parallel set of view tables, for `replay --check`."""
    views = define_views(MetaData(), suffix)
    engine = events.datastore.engine
    for table in views.values():
        table.drop(engine, checkfirst=True)
        table.create(engine)
    with events.transaction() as session:
        session.execute(insert(views["tracking"]).values(name="views", position=0, schema=""))
    return views
