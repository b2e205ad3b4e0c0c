"""`samverkan export timeline`: filled in by the evaluators' issue."""

import typer

app = typer.Typer(no_args_is_help=True, help="Export timelines.")
