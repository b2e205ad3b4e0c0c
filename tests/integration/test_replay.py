"""`samverkan replay [--check]`: the read models are exactly what the log says."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import Settings, get_settings
from infrastructure.views.replay_runs import check_views, replace_views
from interfaces.cli import main as cli_main
from interfaces.cli.main import app
from tests.conftest import settings_for
from tests.integration.history import ÅTVIDABERG, History, open_issue, write_history


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_for(str(request.param), tmp_path / "var")


@pytest.fixture
def store(settings: Settings) -> Iterator[tuple[Samverkan, History]]:
    service = bootstrap(settings)
    history = write_history(service)
    yield service, history
    service.close()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The `samverkan` command, run with the test store's settings from the environment."""
    monkeypatch.setenv("SAMVERKAN_VAR_DIR", str(settings.var_dir))
    if settings.database_url:
        monkeypatch.setenv("SAMVERKAN_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("SAMVERKAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    # structlog would keep writing to the runner's captured stderr after it is closed.
    monkeypatch.setattr(cli_main, "configure_logging", lambda settings: None)
    yield CliRunner()
    get_settings.cache_clear()


def execute(samverkan: Samverkan, sql: str) -> None:
    with samverkan.events.datastore.engine.begin() as connection:
        connection.execute(text(sql))


def test_replay_check_is_clean_after_a_realistic_history(
    store: tuple[Samverkan, History], cli: CliRunner
) -> None:
    result = cli.invoke(app, ["replay", "--check"])
    assert result.exit_code == 0, result.output
    assert "checked 10 events: 0 differences" in result.stdout


def test_replay_check_reports_a_corrupted_view_row_and_exits_1(
    store: tuple[Samverkan, History], cli: CliRunner
) -> None:
    samverkan, history = store
    execute(samverkan, f"UPDATE issue_view SET title = 'Fel' WHERE id = '{history.falerum}'")
    execute(samverkan, "DELETE FROM task_force_progress_view")
    result = cli.invoke(app, ["replay", "--check"])
    assert result.exit_code == 1
    assert f"issue_view {history.falerum}: title: live 'Fel', rebuilt 'Dagligvaror" in result.stdout
    assert "task_force_progress_view" in result.stdout
    assert "in the rebuild, missing from the live view" in result.stdout
    assert "2 differences" in result.stdout


def test_replay_repairs_the_views_and_keeps_what_the_log_does_not_hold(
    store: tuple[Samverkan, History], cli: CliRunner
) -> None:
    samverkan, history = store
    execute(
        samverkan,
        "INSERT INTO idempotency_record VALUES ('anna.lind', 'k-1', 'f', "
        f"'{history.falerum}', 1, 1, NULL)",
    )
    execute(
        samverkan, f"UPDATE decision_view SET status = 'rejected' WHERE id = '{history.decision}'"
    )
    execute(samverkan, "DELETE FROM event_log_view WHERE position = 3")
    assert cli.invoke(app, ["replay"]).exit_code == 0
    again = cli.invoke(app, ["replay", "--check"])
    assert again.exit_code == 0, again.stdout
    with samverkan.events.datastore.engine.connect() as connection:
        status = connection.execute(
            text(f"SELECT status FROM decision_view WHERE id = '{history.decision}'")
        ).scalar_one()
        kept = connection.execute(text("SELECT count(*) FROM idempotency_record")).scalar_one()
    assert (status, kept) == ("adopted", 1)
    assert cli.invoke(app, ["replay"]).exit_code == 0  # the fresh tables' names are free again


def test_replay_while_a_writer_commits_loses_nothing(store: tuple[Samverkan, History]) -> None:
    samverkan, _ = store
    writers: list[threading.Thread] = []

    def write_during_the_rebuild(_: int) -> None:
        writer = threading.Thread(
            target=open_issue, args=(samverkan, ÅTVIDABERG, "Gårdby", "Drivmedel i Gårdby")
        )
        writer.start()
        writers.append(writer)

    replace_views(samverkan.events, progress=write_during_the_rebuild)
    for writer in writers:
        writer.join(30)
    count, differences = check_views(samverkan.events)
    assert (count, differences) == (11, [])
    with samverkan.events.datastore.engine.connect() as connection:
        titles = connection.execute(text("SELECT title FROM issue_view")).scalars().all()
    assert "Drivmedel i Gårdby" in titles


def test_audit_verify_exits_0_when_intact_and_1_naming_the_break(
    store: tuple[Samverkan, History], cli: CliRunner
) -> None:
    samverkan, _ = store
    intact = cli.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0
    assert '"intact": true' in intact.stdout
    execute(
        samverkan, "DELETE FROM samverkan_events WHERE id = (SELECT max(id) FROM samverkan_events)"
    )
    broken = cli.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert '"first_broken_position": 10' in broken.stdout


def test_a_read_command_on_an_empty_database_exits_2_and_creates_nothing(
    settings: Settings, cli: CliRunner
) -> None:
    result = cli.invoke(app, ["replay", "--check"])
    assert result.exit_code == 2, result.output
    assert "There is no store here" in result.output
