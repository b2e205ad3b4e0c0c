"""A refused member fails alone: when the database refuses one command's input inside a group
commit, that command fails with a 4xx meaning and every other command of the batch commits.

The poisoned commands are built without validation (the HTTP schema refuses such text with a
422 before it reaches the bus): the point is the mechanism, whatever the database refuses.
"""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import UUID

import pytest

from application import commands as c
from application.errors import ApplicationError, StoreUnavailableError, UnstorableInputError
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.conftest import settings_for
from tests.integration.history import anna, as_caseworker, open_issue

# What each database refuses in a note's text: PostgreSQL text cannot hold NUL; SQLite's
# driver cannot encode a lone surrogate as UTF-8.
POISON = {"sqlite": "a\ud800b", "postgres": "a\u0000b"}
HEALTHY, POISONED = 24, 6


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Settings:
    return settings_for(backend, tmp_path / "var")


def test_concurrent_poisoned_and_healthy_commands(backend: str, settings: Settings) -> None:
    samverkan = bootstrap(settings)
    try:
        issues = [open_issue(samverkan, "0561", "Falerum", f"Butik {n}") for n in range(HEALTHY)]
        poisoned_issue = open_issue(samverkan, "0561", "Gårdby", "Butiken i Gårdby")
        outcomes: dict[str, list[object]] = {"healthy": [], "poisoned": []}
        start = threading.Barrier(HEALTHY + POISONED)

        def healthy(issue: UUID, n: int) -> None:
            start.wait()
            note = c.AddNote(
                issue_id=issue, kind="phone", text=f"Samtal {n}.", occurred_on="2026-11-02"
            )
            try:
                outcomes["healthy"].append(samverkan.bus.dispatch(note, as_caseworker(f"u{n}")))
            except ApplicationError as error:
                outcomes["healthy"].append(error)

        def poisoned() -> None:
            start.wait()
            note = c.AddNote.model_construct(
                issue_id=poisoned_issue,
                kind="phone",
                text=POISON[backend],
                occurred_on="2026-11-02",
                public=False,
            )
            try:
                outcomes["poisoned"].append(samverkan.bus.dispatch(note, anna()))
            except Exception as error:
                outcomes["poisoned"].append(error)

        threads = [threading.Thread(target=healthy, args=(i, n)) for n, i in enumerate(issues)]
        threads += [threading.Thread(target=poisoned) for _ in range(POISONED)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        failed = [o for o in outcomes["healthy"] if isinstance(o, Exception)]
        assert not failed, failed  # 0 failures for the innocent, never a 5xx
        assert len(outcomes["healthy"]) == HEALTHY
        assert len(outcomes["poisoned"]) == POISONED
        assert all(isinstance(o, UnstorableInputError) for o in outcomes["poisoned"]), outcomes[
            "poisoned"
        ]
        assert not any(isinstance(o, StoreUnavailableError) for o in outcomes["poisoned"])
        for issue in issues:
            assert samverkan.events.repository.get(issue).version == 2
        assert samverkan.events.repository.get(poisoned_issue).version == 1  # nothing written
    finally:
        samverkan.close()
