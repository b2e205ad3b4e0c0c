"""Rebuilding read models from the log, with the same projection code as the live path.

Replay reads the log a page at a time with one plain SELECT, decodes each event once, and
writes the rows that `projections` builds in large batches through `bulk_insert`, which binds
the values SQLAlchemy would bind: the rebuilt tables equal what the live path wrote.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection, Index, MetaData, Table, insert, select, text
from sqlalchemy.sql.elements import TextClause

from domain.base import CaseAggregate
from infrastructure.store.bulk_insert import BulkWriter
from infrastructure.store.event_store import EventStore
from infrastructure.store.schema import create_missing
from infrastructure.views import text_search
from infrastructure.views.projections import Projector, RecordHeader, event_rows, record_rows
from infrastructure.views.read_models import REBUILT_FROM_LOG, VIEWS, define_views

PAGE = 5000
Progress = Callable[[int], None]
Rows = dict[str, list[dict[str, Any]]]


def decoded_log(events: EventStore, after: int = 0) -> Iterator[tuple[Any, int]]:
    """Every event in the log after `after`, decoded, with its position, in position order."""
    for page in _decoded_pages(events, after):
        yield from page


def _decoded_pages(events: EventStore, after: int) -> Iterator[list[tuple[Any, int]]]:
    to_domain_event = events.mapper.to_domain_event
    while True:
        rows = _log_page(events, after)
        yield [
            (to_domain_event(StoredEvent(_uuid(row[1]), row[2], row[3], row[4])), row[0])
            for row in rows
        ]
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _log_page(events: EventStore, after: int) -> list[Any]:
    """One page of raw log rows; inside the caller's transaction when there is one."""
    with events.datastore.transaction(commit=False) as session:
        query = _page_query(events.recorder.events_table_name)  # type: ignore[attr-defined]
        return list(session.execute(query, {"after": after, "limit": PAGE}).all())


@cache
def _page_query(table: str) -> TextClause:
    # Untyped columns: the driver's values as they are, without an ORM object per row.
    return text(
        f"SELECT id, originator_id, originator_version, topic, state FROM {table}"
        " WHERE id > :after ORDER BY id LIMIT :limit"
    )


def _uuid(value: Any) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes):  # SQLite keeps the id's 16 raw bytes
        return UUID(bytes=value)
    return UUID(str(value))


def rebuild(
    events: EventStore, views: Mapping[str, Table], progress: Progress | None = None
) -> int:
    """Replay the whole log into `views`, which must be empty. Returns the number of events."""
    aggregates: dict[UUID, CaseAggregate] = {}
    headers: dict[UUID, RecordHeader] = {}
    created: dict[UUID, int] = {}
    last = count = 0
    with _collector_paused(), events.transaction() as session:
        indexes = IndexesBuiltLast(session.connection(), views)
        writer = BulkWriter(session.connection(), views)
        for page in _decoded_pages(events, 0):
            rows: Rows = {}
            for event, position in page:
                aggregate = event.mutate(aggregates.get(event.originator_id))
                aggregates[event.originator_id] = aggregate
                header = headers.get(event.originator_id)
                if header is None:
                    header = headers[event.originator_id] = RecordHeader(aggregate)
                if event.originator_version == 1:
                    created[event.originator_id] = position
                # Log rows see the aggregate as it was right after the event, as the live path did.
                _add(rows, event_rows(event, position, aggregate, header))
            indexes.before_filling(rows)
            writer.write(rows)
            if page:
                last = page[-1][1]
                count += len(page)
                if progress:
                    progress(len(page))
        # Record rows are written once, from each aggregate's final state.
        records: Rows = {}
        for aggregate in aggregates.values():
            _add(records, record_rows(aggregate, created[aggregate.id]))
        indexes.before_filling(records)
        writer.write(records)
        indexes.build()
        Projector(views).track(session, last)
    return count


class IndexesBuiltLast:
    """The indexes of the (empty) views rebuilt from the log, each built once from the loaded
    rows rather than row by row.

    A table's indexes are dropped, in the rebuild's own transaction, just before its first
    rows go in, and built again at the end. A view the log leaves empty keeps its indexes
    and costs no DDL.
    """

    def __init__(self, connection: Connection, views: Mapping[str, Table]) -> None:
        self.connection = connection
        self.views = views
        self.dropped: dict[str, list[Index]] = {}

    def before_filling(self, rows: Rows) -> None:
        for name in rows:
            if name in self.dropped or name not in REBUILT_FROM_LOG:
                continue
            self.dropped[name] = list(self.views[name].indexes)
            for index in self.dropped[name]:
                index.drop(self.connection)

    def build(self) -> None:
        for indexes in self.dropped.values():
            for index in indexes:
                index.create(self.connection)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while replay builds up aggregates and rows.

    Nearly every object replay makes stays alive until the end, so each collection only
    rescans them; on a 5,000-event log that was about a third of the rebuild's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _add(rows: Rows, more: Mapping[str, dict[str, Any]]) -> None:
    for name, row in more.items():
        table_rows = rows.get(name)
        if table_rows is None:
            rows[name] = [row]
        else:
            table_rows.append(row)


def ensure_views(events: EventStore, fingerprint: str, progress: Progress | None = None) -> bool:
    """Create the views; rebuild them from the log if their definition changed (then True).

    The text search index is created here too, and filled when the store has none yet (one
    written by an earlier release) or when the views were rebuilt.
    """
    engine = events.datastore.engine
    assert engine is not None
    create_missing(engine, VIEWS["tracking"].metadata)
    tracking = VIEWS["tracking"]
    with events.transaction() as session:
        row = session.execute(select(tracking).where(tracking.c.name == "views")).first()
        if row is not None and row.schema == fingerprint:
            text_search.install(session.connection())
            return False
        if row is None:
            session.execute(insert(tracking).values(name="views", position=0, schema=fingerprint))
        else:
            session.execute(tracking.update().values(schema=fingerprint, position=0))
    for name in REBUILT_FROM_LOG:
        VIEWS[name].drop(engine, checkfirst=True)
        VIEWS[name].create(engine)
    rebuild(events, VIEWS, progress)
    with events.transaction() as session:
        text_search.install(session.connection(), rebuild=True)
    return True


def fresh_views(events: EventStore, suffix: str = "_replay") -> dict[str, Table]:
    """An empty parallel set of view tables, for `replay --check`."""
    views = define_views(MetaData(), suffix)
    engine = events.datastore.engine
    assert engine is not None
    for table in views.values():
        table.drop(engine, checkfirst=True)
        table.create(engine)
    with events.transaction() as session:
        session.execute(insert(views["tracking"]).values(name="views", position=0, schema=""))
    return views
