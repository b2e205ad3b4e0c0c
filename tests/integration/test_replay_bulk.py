"""Replay's bulk writes (COPY on PostgreSQL, executemany on SQLite) give exactly the live rows.

The demo programme holds every kind of view row: JSON columns, booleans, dates and instants.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infrastructure.bootstrap import bootstrap
from infrastructure.views.replay_runs import check_views
from interfaces.cli.demo import load_demo
from tests.conftest import settings_for

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
