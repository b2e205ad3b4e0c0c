"""`samverkan export timeline`: the HTTP export, to a file or stdout, for operators.

By default it shows names, as an operator sees them (an auditor's national read scope, which
also includes non-public notes); `--pseudonymise` gives exactly what an evaluator gets.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, BinaryIO
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from application.errors import NotFoundError
from domain.values import NATIONAL_SCOPE, Actor, Category, Role
from infrastructure.store.keys import KeyFileError, pseudonym_key
from infrastructure.views.timeline import Timeline, TimelineFilter, TimelineQueries
from interfaces.exports import Delimiter, ExportFormat, Language, entries_to_write, render
from interfaces.privacy import use_key

app = typer.Typer(no_args_is_help=True, help="Export timelines.")

OPERATOR = Actor("samverkan-cli", Role.AUDITOR, NATIONAL_SCOPE)
EVALUATOR = Actor("samverkan-cli", Role.EVALUATOR, NATIONAL_SCOPE)


def _code(value: str | None) -> str | None:
    if value is not None and not (len(value) == 4 and value.isdigit()):
        raise typer.BadParameter("a municipality code is four digits, e.g. 0561")
    return value


@app.command("timeline")
def timeline(
    municipality: Annotated[
        str | None, typer.Option(help="A four-digit code.", callback=_code)
    ] = None,
    issue: Annotated[UUID | None, typer.Option(help="An issue, with its sub-issues.")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSON,
    pseudonymise: Annotated[
        bool, typer.Option(help="Pseudonyms and public notes only, as evaluators see it.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="A file; stdout if left out.")
    ] = None,
    lang: Annotated[Language, typer.Option(help="The HTML and calendar language.")] = Language.SV,
    category: Annotated[Category | None, typer.Option(help="The issue's category.")] = None,
    date_from: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"])] = None,
    date_to: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"])] = None,
    delimiter: Annotated[
        Delimiter, typer.Option(help="CSV only: comma, or semicolon for Swedish spreadsheets.")
    ] = Delimiter.COMMA,
) -> None:
    """Write a timeline in JSON, CSV, iCalendar or HTML: the same export as the HTTP route."""
    from interfaces.cli.store import opened

    with opened() as samverkan:
        with suppress(KeyFileError):  # a read makes no key: then labels last one run only
            use_key(pseudonym_key(samverkan.settings.var_dir, create=False))
        wanted = TimelineFilter(municipality, issue, category, _day(date_from), _day(date_to))
        queries = TimelineQueries(samverkan.events, samverkan.policy)
        try:
            timeline = queries.open(EVALUATOR if pseudonymise else OPERATOR, wanted)
        except NotFoundError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from error
        with _destination(output) as sink, _progress(timeline, fmt) as counted:
            for chunk in render(counted, fmt, lang, delimiter):
                sink.write(chunk)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


@contextmanager
def _destination(output: Path | None) -> Iterator[BinaryIO]:
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with output.open("wb") as file:
        yield file


@contextmanager
def _progress(opened: Timeline, fmt: ExportFormat) -> Iterator[Timeline]:
    """A progress bar on stderr, only when stderr is a terminal."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield opened
        return
    columns = (TextColumn("export"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("export", total=entries_to_write(opened, fmt))
        opened.on_chunk = lambda count: progress.advance(task, count)
        yield opened
