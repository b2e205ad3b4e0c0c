"""The product, built as `samverkan serve` builds it, on a scratch SQLite file or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from application.commands import AddNote, OpenIssue
from application.ports import CommandContext
from bench.common import POSTGRES_URL, quiet_logs, reset_postgres, scratch_dir
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings
from interfaces.http.asgi import freeze_start_up_objects

ATVIDABERG = "0561"
CASEWORKER = Actor(user_id="karin.berg", role=Role.CASEWORKER, municipality=ATVIDABERG)
BACKENDS = ("sqlite", "postgres")


def issue_body(n: int = 0) -> dict[str, Any]:
    return {
        "municipality": ATVIDABERG,
        "locality": ("Falerum", "Gårdby", "Trönö")[n % 3],
        "title": f"Butiken i Falerum kan stänga ({n})",
        "description": "Byalaget oroar sig för att dagligvarubutiken läggs ned.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
    }


def open_issue(samverkan: Samverkan, n: int = 0) -> Any:
    command = OpenIssue.model_validate(issue_body(n))
    return samverkan.bus.dispatch(command, CommandContext(actor=CASEWORKER))


def add_note(samverkan: Samverkan, issue_id: Any) -> Any:
    command = AddNote.model_validate(
        {
            "issue_id": issue_id,
            "kind": "meeting",
            "text": "Möte med byalaget i bygdegården.",
            "occurred_on": "2025-03-04",
            "public": True,
        }
    )
    return samverkan.bus.dispatch(command, CommandContext(actor=CASEWORKER))


def available(backend: str) -> bool:
    return backend == "sqlite" or POSTGRES_URL is not None


@contextmanager
def running(backend: str, name: str) -> Iterator[Samverkan]:
    """A fresh, empty store: a SQLite file on disk, or the bench PostgreSQL database, reset."""
    with scratch_dir(name) as var_dir, quiet_logs():
        settings = Settings(var_dir=var_dir, database_url=database_url(backend), rate_limit="off")
        samverkan = bootstrap(settings)
        freeze_start_up_objects()  # as a `samverkan serve` worker does
        try:
            yield samverkan
        finally:
            samverkan.close()


def database_url(backend: str) -> str | None:
    if backend == "sqlite":
        return None
    assert POSTGRES_URL is not None
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL
