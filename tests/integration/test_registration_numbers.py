"""Registration numbers under concurrency: 1..n per municipality and year, no gap, no repeat.

On PostgreSQL two services over one database stand in for two server workers: each has its own
connection pool, group commit and locks, so only the database (its write lock, and the unique
index behind it) can keep them from taking the same number.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from application import commands as c
from application.handlers import open_issue
from application.ports import CommandContext, CommandResult, UnitOfWork
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.views.read_models import VIEWS
from tests.conftest import settings_for

TRÖNÖ = "2182"  # Söderhamn
WRITERS = 16
YEAR = datetime.now(UTC).year


def opening(title: str) -> c.OpenIssue:
    return c.OpenIssue.model_validate(
        {
            "municipality": TRÖNÖ,
            "locality": "Trönö",
            "title": title,
            "description": "Byalaget vill ha en servicepunkt i kommundelscentrat.",
            "category": "public_service_point",
            "raised_by": {"organisation": "Trönö byalag", "kind": "village_association"},
        }
    )


def context() -> CommandContext:
    return CommandContext(actor=Actor("lena.ek", Role.CASEWORKER, TRÖNÖ))


def numbers(service: Samverkan) -> list[str]:
    issue = VIEWS["issue"]
    with service.events.reading() as session:
        found = session.execute(
            select(issue.c.registration_number).order_by(issue.c.registration_serial)
        )
        return [str(n) for n in found.scalars()]


def expected(count: int) -> list[str]:
    return [f"{TRÖNÖ}-{YEAR}/{serial:04d}" for serial in range(1, count + 1)]


def open_at_once(services: list[Samverkan]) -> None:
    """`WRITERS` threads, spread over the services, open one issue each at the same moment."""
    start = threading.Barrier(WRITERS)

    def open_one(index: int) -> None:
        start.wait()
        services[index % len(services)].bus.dispatch(opening(f"Servicepunkt {index}"), context())

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(open_one, range(WRITERS)))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_sixteen_concurrent_openings_are_numbered_one_to_sixteen(samverkan: Samverkan) -> None:
    open_at_once([samverkan])
    assert numbers(samverkan) == expected(WRITERS)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[list[Samverkan]]:
    settings = settings_for("postgres", tmp_path / "var")
    services = [bootstrap(settings), bootstrap(settings)]
    yield services
    for service in services:
        service.close()


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_share_or_skip_a_number(
    two_workers: list[Samverkan],
) -> None:
    open_at_once(two_workers)
    assert numbers(two_workers[0]) == expected(WRITERS)


@pytest.mark.postgres
def test_a_worker_waits_for_the_other_before_reading_the_highest_number(
    two_workers: list[Samverkan],
) -> None:
    """The read of the highest number takes the log's write lock first: a worker whose batch
    is still open makes the other wait there, so the other never reads a number it then
    cannot use (and its command runs once, not once more after a collision)."""
    first, second = two_workers
    runs: list[int] = []
    real = second.bus.handlers[c.OpenIssue]

    def counted(command: c.OpenIssue, uow: UnitOfWork) -> CommandResult:
        runs.append(1)
        return real(command, uow)

    second.bus.handlers = {**second.bus.handlers, c.OpenIssue: counted}
    later = threading.Thread(target=second.bus.dispatch, args=(opening("Sedan"), context()))
    with first.bus.store.unit_of_work(context(), None) as uow:
        open_issue(opening("Först"), uow)  # holds the log's write lock until its COMMIT
        later.start()
        wait_until_a_session_waits_for_a_lock(first)
    later.join(30)

    assert not later.is_alive()
    assert numbers(first) == expected(2)
    assert runs == [1]


def wait_until_a_session_waits_for_a_lock(service: Samverkan) -> None:
    deadline = time.monotonic() + 20
    with service.events.unpooled_engine().connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            ).scalar()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the other worker never waited for the lock")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_rolled_back_opening_gives_its_number_back(samverkan: Samverkan) -> None:
    class Refused(Exception):
        pass

    with pytest.raises(Refused), samverkan.bus.store.unit_of_work(context(), None) as uow:
        open_issue(opening("Ångrat"), uow)  # took number 1, then the transaction fails
        raise Refused
    samverkan.bus.dispatch(opening("Servicepunkt i Trönö"), context())
    assert numbers(samverkan) == expected(1)


def test_a_number_given_out_in_a_batch_by_a_command_that_then_failed_is_given_again(
    tmp_path: Path,
) -> None:
    """The batch remembers only numbers its members saved: the next member in the same group
    commit gets the number a failed member had been given, so none is skipped."""

    class Refused(Exception):
        pass

    service = bootstrap(settings_for("sqlite", tmp_path))
    store = service.bus.store
    batches = {}

    def next_member() -> None:
        with store.unit_of_work(context(), None) as uow:  # type: ignore[attr-defined]
            batches["saved"] = uow.batch
            open_issue(opening("Servicepunkt i Trönö"), uow)

    member = threading.Thread(target=next_member)
    try:
        with pytest.raises(Refused), store.unit_of_work(context(), None) as uow:  # type: ignore[attr-defined]
            batches["failed"] = uow.batch
            assert uow.next_registration_number(TRÖNÖ, YEAR) == expected(1)[0]
            member.start()
            while store.committer.waiting == 0:  # type: ignore[attr-defined]
                time.sleep(0.001)
            raise Refused  # before writing: the batch stays open for the waiting member
        member.join()
        assert batches["failed"] is batches["saved"]
        assert numbers(service) == expected(1)
    finally:
        service.close()
