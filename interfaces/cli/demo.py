"""The demo programme: loaded through the command bus, so its history is real. DEMO DATA."""

from __future__ import annotations

import typer

from application import commands as c
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan


def load_demo(samverkan: Samverkan, only_if_empty: bool = False) -> int:
    """Load the demo data set; returns the number of commands run (0 if skipped)."""
    if only_if_empty and samverkan.events.recorder.max_notification_id():
        return 0
    officer = CommandContext(actor=Actor("demo.falerum", Role.CASEWORKER, "0561"))
    samverkan.bus.dispatch(
        c.OpenIssue(
            municipality="0561",
            locality="Falerum",
            title="[DEMO] Dagligvaror i Falerum",
            description="Demo: kartlägg behovet av grundläggande service i Falerum.",
            category="groceries",
            raised_by=c.RaisedBy(organisation="Falerums byalag", kind="village_association"),
        ),
        officer,
    )
    return 1


app = typer.Typer(no_args_is_help=True, help="The demo programme.")


@app.command("load")
def load() -> None:
    """Load the demo data set through the command bus."""
    from infrastructure.bootstrap import bootstrap

    samverkan = bootstrap()
    try:
        count = load_demo(samverkan)
    finally:
        samverkan.close()
    typer.echo(f"loaded {count} demo commands", err=True)
