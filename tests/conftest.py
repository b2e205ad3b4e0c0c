"""Shared fixtures: realistic Swedish data, and one store per backend.

PostgreSQL runs when SAMVERKAN_TEST_DATABASE_URL is set (`.ci/run` sets it); otherwise those
tests are skipped with a message saying so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings

POSTGRES_URL = os.environ.get("SAMVERKAN_TEST_DATABASE_URL")
NO_POSTGRES = "PostgreSQL tests skipped: set SAMVERKAN_TEST_DATABASE_URL to run them"
BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def reset_postgres(url: str) -> None:
    """An empty database: the public schema and the personal-data key store's schema gone."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        connection.execute(text("DROP SCHEMA IF EXISTS samverkan_keys CASCADE"))
    engine.dispose()


def settings_for(backend: str, var_dir: Path, **overrides: object) -> Settings:
    if backend == "memory":
        url: str | None = "sqlite:///:memory:"
    elif backend == "sqlite":
        url = None  # the embedded default: a SQLite file under var_dir
    else:
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    return Settings(var_dir=var_dir, database_url=url, rate_limit="off", **overrides)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Settings:
    return settings_for(backend, tmp_path / "var")


@pytest.fixture
def samverkan(settings: Settings) -> Iterator[Samverkan]:
    service = bootstrap(settings)
    yield service
    service.close()
