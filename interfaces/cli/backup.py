"""`samverkan backup -o DIR [--without-subject-keys]` and `samverkan restore DIR`.

The manifest (backup) or a summary (restore) goes to stdout; progress to stderr, with rich, on
a terminal. Exit 2: nothing to back up, or a target that is not empty. Exit 1: a mismatch.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from application.errors import IntegrityAlarmError
from infrastructure.settings import Settings, get_settings
from infrastructure.store.backup import BackupRefusedError, back_up
from infrastructure.store.keys import KeyFileError
from infrastructure.store.postgres_dump import PostgresToolError, shown_url
from infrastructure.store.restore import RestoreMismatchError, RestoreRefusedError, restore


@contextmanager
def _steps(doing: str) -> Iterator[Callable[[str], None]]:
    """A spinner naming the current step on a terminal; silent otherwise."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _: None
        return
    with console.status(doing) as status:
        yield lambda step: status.update(f"{doing}: {step}")


def _store(settings: Settings) -> str:
    if settings.is_sqlite:
        return f"{settings.store_url} (var dir {settings.var_dir.resolve()})"
    return f"{shown_url(settings)} (var dir {settings.var_dir.resolve()})"


def backup(
    output: Annotated[Path, typer.Option("-o", "--output", help="A new, empty directory.")],
    without_subject_keys: Annotated[
        bool, typer.Option(help="Leave the personal-data key store out (long-term copies).")
    ] = False,
) -> None:
    """Copy the store, its keys and a signed manifest into DIR, while the server runs."""
    settings = get_settings()
    typer.echo(f"backing up {_store(settings)} into {output.resolve()}", err=True)
    try:
        with _steps("backup") as step:
            manifest = back_up(settings, output, not without_subject_keys, step)
    except (BackupRefusedError, KeyFileError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    except (PostgresToolError, IntegrityAlarmError) as error:
        typer.echo(str(error), err=True)  # a log that does not verify gets no signed checkpoint
        raise typer.Exit(1) from error
    summary = {k: manifest[k] for k in ("store", "position", "head", "subject_keys", "files")}
    sys.stdout.write(json.dumps(summary) + "\n")


def restore_command(
    source: Annotated[Path, typer.Argument(help="A directory written by `samverkan backup`.")],
) -> None:
    """Restore a backup into an empty var dir or database, then verify it."""
    settings = get_settings()
    typer.echo(f"restoring {source.resolve()} into {_store(settings)}", err=True)
    try:
        with _steps("restore") as step:
            restored = restore(settings, source, step)
    except RestoreRefusedError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    except (RestoreMismatchError, PostgresToolError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    sys.stdout.write(json.dumps(asdict(restored)) + "\n")
