"""Replay's bulk writes (COPY on PostgreSQL, executemany on SQLite) give exactly the live rows,
with each index built once, after the load.

The demo programme holds every kind of view row: JSON columns, booleans, dates and instants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, inspect, select

from infrastructure.bootstrap import bootstrap
from infrastructure.views.read_models import REBUILT_FROM_LOG
from infrastructure.views.replay import fresh_views, rebuild
from infrastructure.views.replay_runs import check_views
from interfaces.cli.demo import load_demo
from tests.conftest import settings_for
from tests.integration.test_command_bus import as_, note, open_issue

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_replay_of_the_demo_programme_equals_the_live_views(backend: str, tmp_path: Path) -> None:
    service = bootstrap(settings_for(backend, tmp_path / "var"))
    try:
        assert load_demo(service) > 100
        count, differences = check_views(service.events)
    finally:
        service.close()
    assert count > 100
    assert differences == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rebuild_builds_indexes_last_only_on_the_views_it_fills(
    backend: str, tmp_path: Path
) -> None:
    """Indexes are dropped from a view just before its first rows go in and built again after
    the load; a view the log leaves empty is not touched. Every view ends with all its indexes."""
    service = bootstrap(settings_for(backend, tmp_path / "var"))
    try:
        one_issue_with_a_note(service)
        views = fresh_views(service.events, "_indexes")
        engine = service.events.datastore.engine
        dropped: list[str] = []

        def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("DROP INDEX"):
                dropped.append(statement)

        event.listen(engine, "before_cursor_execute", watch)
        try:
            rebuild(service.events, views)
        finally:
            event.remove(engine, "before_cursor_execute", watch)
        inspector = inspect(engine)
        filled = set()
        with engine.connect() as connection:
            for name in REBUILT_FROM_LOG:
                table = views[name]
                wanted = {index.name for index in table.indexes}
                assert {i["name"] for i in inspector.get_indexes(table.name)} >= wanted, name
                if connection.execute(select(func.count()).select_from(table)).scalar():
                    filled.add(name)
    finally:
        service.close()
    assert {"issue", "log", "timeline"} <= filled
    droppable = {index.name for name in filled for index in views[name].indexes}
    assert len(dropped) == len(droppable)  # each index of a filled view once, no other
    assert all(any(str(name) in statement for name in droppable) for statement in dropped)


def one_issue_with_a_note(service: Any) -> None:
    """One issue with a note: most views stay empty."""
    issue = service.bus.dispatch(open_issue(), as_()).id
    service.bus.dispatch(note(issue), as_())
