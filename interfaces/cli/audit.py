"""`samverkan audit verify|checkpoint|incident` and `samverkan replay [--check]`.

Results go to stdout, progress and logs to stderr. Read commands (verify, checkpoint,
replay --check) open an existing store only.
"""

from __future__ import annotations

import getpass
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from application.commands import USER_ID
from application.errors import IntegrityAlarmError
from infrastructure.store.checkpoints import checkpoint_consistency, take_checkpoint
from infrastructure.store.incidents import NoIncidentError, record_incident
from infrastructure.store.keys import KeyFileError
from infrastructure.views.audit import AuditQueries
from infrastructure.views.replay_runs import check_views, replace_views
from interfaces.cli.store import opened

app = typer.Typer(no_args_is_help=True, help="Verify the event log, and keep checkpoints of it.")


@app.command("verify")
def verify(
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="A checkpoint file to check the log against."),
    ] = None,
) -> None:
    """Recheck the hash chain (and each checkpoint); exit 1 naming the break if any fails."""
    with opened() as samverkan:
        result = asdict(
            AuditQueries(samverkan.events, samverkan.policy).verify(samverkan.chain_key)
        )
        result["checkpoints"] = [_against(samverkan, path) for path in checkpoints or []]
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    failed = [c for c in result["checkpoints"] if not c["consistent"]]
    for check in failed:
        typer.echo(f"{check['file']}: {check['detail']}", err=True)
    if not result["intact"]:
        typer.echo(f"The log is broken at position {result['first_broken_position']}.", err=True)
    if failed or not result["intact"]:
        raise typer.Exit(1)


def _against(samverkan: Any, path: Path) -> dict[str, Any]:
    try:
        checkpoint = json.loads(path.read_text())
        consistent, detail = checkpoint_consistency(
            samverkan.events, checkpoint, samverkan.settings.var_dir, create=False
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        consistent, detail = False, f"not a checkpoint: {error}"
    return {"file": str(path), "consistent": consistent, "detail": detail}


@app.command("checkpoint")
def checkpoint(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="A file; stdout if left out.")
    ] = None,
) -> None:
    """Print (or write) a signed checkpoint of the log as it is now."""
    with opened() as samverkan:
        try:
            signed = take_checkpoint(samverkan.events, samverkan.settings.var_dir, create=False)
        except IntegrityAlarmError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from error
        except KeyFileError as error:  # never made up by a read command: `serve` makes it
            typer.echo(f"{error} Start the server once (samverkan serve) to make it.", err=True)
            raise typer.Exit(2) from error
    text = json.dumps(signed, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        typer.echo(f"checkpoint at position {signed['position']} written to {output}", err=True)


@app.command("incident")
def incident(
    reason: Annotated[str, typer.Option(help="What was found, and what was done about it.")],
    operator: Annotated[
        str | None, typer.Option(help="Who records it; the login name by default.")
    ] = None,
) -> None:
    """End an integrity alarm by recording the break in the log; verify keeps reporting it."""
    who = operator or getpass.getuser()
    if not re.fullmatch(USER_ID, who) or not reason.strip():
        typer.echo("Give a reason, and an operator of letters, digits and . _ @ -.", err=True)
        raise typer.Exit(2)
    with opened() as samverkan:
        try:
            recorded = record_incident(samverkan.events, samverkan.chain_key, reason, who)
        except NoIncidentError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from error
    sys.stdout.write(json.dumps(recorded) + "\n")


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
    with opened() as samverkan:
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
