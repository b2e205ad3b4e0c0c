"""`samverkan audit verify` and `samverkan replay [--check]`.

Results go to stdout, progress and logs to stderr. Every command bootstraps the store first,
which creates any missing tables.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from infrastructure.audit import AuditQueries
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.keys import chain_key
from infrastructure.replay_runs import check_views, replace_views

app = typer.Typer(no_args_is_help=True, help="Verify the event log.")


@contextmanager
def _service() -> Iterator[Samverkan]:
    samverkan = bootstrap()
    try:
        yield samverkan
    finally:
        samverkan.close()


@app.command("verify")
def verify() -> None:
    """Recheck the hash chain; exit 1 and name the first broken position if it is not intact."""
    with _service() as samverkan:
        audit = AuditQueries(samverkan.events, samverkan.policy)
        result = audit.verify(chain_key(samverkan.settings.var_dir))
    sys.stdout.write(json.dumps(asdict(result)) + "\n")
    if not result.intact:
        typer.echo(f"The log is broken at position {result.first_broken_position}.", err=True)
        raise typer.Exit(1)


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("replaying events", total=total)
        yield lambda n: bar.advance(task, n)


def replay(
    check: bool = typer.Option(False, help="Compare with the live views; exit 1 on a difference."),
) -> None:
    """Rebuild every read model from the log."""
    with _service() as samverkan:
        total = samverkan.events.recorder.max_notification_id() or 0
        with _progress_bar(total) as progress:
            if not check:
                count = replace_views(samverkan.events, progress)
                sys.stdout.write(f"replayed {count} events into fresh views\n")
                return
            count, differences = check_views(samverkan.events, progress)
    for line in differences:
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"checked {count} events: {len(differences)} differences\n")
    if differences:
        raise typer.Exit(1)
