"""A read that fails halfway through its rows never poisons a pooled connection.

The review once saw an exception raised while a read still iterated its rows. The connection
went back to the pool with its SELECT unfinished; pysqlite's rollback did not end it, so that
connection's view of the database stayed frozen: writes answered 503 ("database is locked") and
verify kept reading the old state. Here every read route fails after its first row, as badly as
a read can; then a write must go through and verify must see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import cursor as sa_cursor

from tests.e2e.conftest import Headers

READ_ROUTES = [
    "/api/v1/issues",
    "/api/v1/issues/{issue}",
    "/api/v1/issues/{issue}/history",
    "/api/v1/task-forces",
    "/api/v1/audit/events",
    "/api/v1/audit/verify",
    "/api/v1/audit/checkpoint",
    "/api/v1/insights/person-dependency",
    "/api/v1/insights/dialogue-cycle",
    "/api/v1/exports/timeline?format=json",
    "/health/ready",
]


class MidwayFailure(Exception):
    pass


@pytest.fixture
def reads_fail_after_one_row(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """While on, every fetch takes one row from the driver and raises, past SQLAlchemy's own
    clean-up (as code that raises while iterating rows does): the statement stays unfinished
    on the connection, which goes back to the pool."""
    state = {"on": False}
    result = sa_cursor.CursorResult
    # A traceback or a reference cycle can keep a broken read's cursor alive for a while;
    # these are kept alive for the whole test, the worst case.
    kept_alive: list[Any] = []

    def failing(original: Callable[..., Any]) -> Callable[..., Any]:
        def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
            if state["on"] and self.cursor is not None:
                kept_alive.append(self.cursor)
                self.cursor.fetchone()
                raise MidwayFailure("the read broke off after its first row")
            return original(self, *args, **kwargs)

        return fetch

    for name in ("_fetchiter_impl", "_fetchone_impl", "_fetchmany_impl", "_fetchall_impl"):
        monkeypatch.setattr(result, name, failing(getattr(result, name)))
    yield lambda on: state.update(on=on)


def test_every_read_failing_midway_leaves_writes_and_verify_working(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
    reads_fail_after_one_row: Callable[[bool], None],
) -> None:
    issue = open_issue()
    admin = auth("sara.ek", "admin", "0561")
    for n in range(3):
        note = {"kind": "meeting", "text": f"Möte {n}.", "occurred_on": "2024-05-02"}
        client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=caseworker)
    before = client.get("/api/v1/audit/verify", headers=admin).json()["checked"]

    reads_fail_after_one_row(True)
    client_that_raises = TestClient(client.app, raise_server_exceptions=False)
    for route in READ_ROUTES:
        answer = client_that_raises.get(route.format(issue=issue), headers=admin)
        streamed = "exports" in route  # its 200 went out before the rows: the stream breaks
        assert streamed or answer.status_code >= 500, route  # the failure was real
    reads_fail_after_one_row(False)

    note = {"kind": "phone", "text": "Efter felen.", "occurred_on": "2024-05-03"}
    for _ in range(5):  # more writes than the pool has connections that could be stuck
        written = client.post(f"/api/v1/issues/{issue}/notes", json=note, headers=caseworker)
        assert written.status_code == 200, written.text
    verified = client.get("/api/v1/audit/verify", headers=admin).json()
    assert (verified["intact"], verified["checked"]) == (True, before + 5)
    view = client.get(f"/api/v1/issues/{issue}", headers=caseworker).json()
    assert view["version"] == 1 + 3 + 5
