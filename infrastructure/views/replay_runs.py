"""`samverkan replay`: rebuild every read model into fresh tables, then swap them in or compare.

Both run while a server writes to the same store. The bulk of the log is replayed without
blocking anyone; the few events committed meanwhile are caught up event by event at the end,
under the writers' lock (replace) or inside one snapshot (check).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select, text, update
from sqlalchemy.orm import Session

from infrastructure.store.event_store import EventStore
from infrastructure.views import text_search
from infrastructure.views.audit import snapshot
from infrastructure.views.projections import Projector
from infrastructure.views.read_models import REBUILT_FROM_LOG, VIEWS
from infrastructure.views.replay import Progress, decoded_log, fresh_views, rebuild

CHECK_ATTEMPTS = 5


def catch_up(events: EventStore, session: Session, views: Mapping[str, Table]) -> int:
    """Project every event after the views' tracked position into them; returns the new one."""
    tracking = views["tracking"]
    after = session.execute(
        select(tracking.c.position).where(tracking.c.name == "views")
    ).scalar_one()
    projector = Projector(views)
    last = int(after)
    for event, position in decoded_log(events, last):
        aggregate: Any = events.repository.get(
            event.originator_id, version=event.originator_version
        )
        created = {aggregate.id: position} if event.originator_version == 1 else {}
        projector.project(session, [(event, position)], {aggregate.id: aggregate}, created)
        last = position
    return last


def replace_views(events: EventStore, progress: Progress | None = None) -> int:
    """Rebuild every read model from the log and swap the rebuilt tables in; returns events."""
    fresh = fresh_views(events)
    count = rebuild(events, fresh, progress)
    with events.transaction() as session:
        _hold_writers(session)
        last = catch_up(events, session, fresh)
        for name in REBUILT_FROM_LOG:
            _swap(session, fresh[name], VIEWS[name])
        for name in set(fresh) - set(REBUILT_FROM_LOG):  # kept live: not derived from the log
            session.execute(text(f"DROP TABLE IF EXISTS {fresh[name].name}"))
        tracking = VIEWS["tracking"]
        session.execute(update(tracking).where(tracking.c.name == "views").values(position=last))
        text_search.install(session.connection(), rebuild=True)  # the swapped-in view is new
    return count


def _hold_writers(session: Session) -> None:
    """Block other writers until commit, so no event is committed between catch-up and swap."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE samverkan_events IN EXCLUSIVE MODE"))
    else:  # SQLite: the first write takes the database's single write lock
        tracking = VIEWS["tracking"]
        session.execute(update(tracking).values(position=tracking.c.position))


def _swap(session: Session, fresh: Table, live: Table) -> None:
    session.execute(text(f"DROP TABLE {live.name}"))
    session.execute(text(f"ALTER TABLE {fresh.name} RENAME TO {live.name}"))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Indexes and sequences keep their names through a rename: give them the live ones.
        relations = connection.execute(
            text(
                "SELECT relname, relkind FROM pg_class WHERE relkind IN ('i', 'S')"
                " AND relnamespace = current_schema()::regnamespace AND relname LIKE :pattern"
            ),
            {"pattern": f"%{fresh.name}%"},
        ).all()
        for name, kind in relations:
            what = "INDEX" if kind == "i" else "SEQUENCE"
            renamed = name.replace(fresh.name, live.name)
            connection.execute(text(f'ALTER {what} "{name}" RENAME TO "{renamed}"'))
    else:  # SQLite cannot rename an index: drop the fresh ones and build the live ones
        for index in fresh.indexes:
            connection.execute(text(f'DROP INDEX "{index.name}"'))
        for index in live.indexes:
            index.create(connection)


def check_views(events: EventStore, progress: Progress | None = None) -> tuple[int, list[str]]:
    """Rebuild into fresh tables and compare with the live views: (events, differences)."""
    fresh = fresh_views(events, "_check")
    try:
        count = rebuild(events, fresh, progress)
        for _ in range(CHECK_ATTEMPTS):
            with events.transaction() as session:
                rebuilt_to = catch_up(events, session, fresh)
            with snapshot(events) as connection:
                if _live_position(connection) != rebuilt_to:
                    continue  # a writer committed in between: catch up once more
                differences = [
                    line
                    for name in REBUILT_FROM_LOG
                    for line in _differences(connection, VIEWS[name], fresh[name])
                ]
                return count, differences
        raise RuntimeError("The log kept moving; try again when writes are quieter.")
    finally:
        engine = events.datastore.engine
        assert engine is not None
        for table in fresh.values():
            table.drop(engine, checkfirst=True)


def _live_position(connection: Connection) -> int:
    tracking = VIEWS["tracking"]
    query = select(tracking.c.position).where(tracking.c.name == "views")
    return int(connection.execute(query).scalar() or 0)


def _differences(connection: Connection, live: Table, fresh: Table) -> Iterator[str]:
    """Rows that differ between a live view and its rebuild, matched by primary key."""
    keys = [c.name for c in live.primary_key.columns]
    rebuilt = {_key(row, keys): row for row in _rows(connection, fresh)}
    for row in _rows(connection, live):
        key = _key(row, keys)
        expected = rebuilt.pop(key, None)
        if expected is None:
            yield f"{live.name} {key}: in the live view, not in the rebuild"
        elif expected != row:
            changed = sorted(c for c in row if row[c] != expected[c])
            shown = ", ".join(f"{c}: live {row[c]!r}, rebuilt {expected[c]!r}" for c in changed)
            yield f"{live.name} {key}: {shown}"
    for key in rebuilt:
        yield f"{live.name} {key}: in the rebuild, missing from the live view"


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    result = connection.execution_options(yield_per=1000).execute(select(table))
    for row in result.mappings():
        yield dict(row)


def _key(row: Mapping[str, Any], keys: list[str]) -> str:
    return "/".join(str(row[k]) for k in keys)
