"""The `samverkan` command line. Results go to stdout; logs and progress to stderr."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
import uvicorn

from domain.values import Actor, Role
from infrastructure.feeds import FeedKind
from infrastructure.logging import configure_logging
from infrastructure.settings import get_settings
from infrastructure.store.keys import KeyFileError
from infrastructure.tokens import TokenIssuer, check_claims
from interfaces.cli import audit as audit_cli
from interfaces.cli import backup as backup_cli
from interfaces.cli import demo as demo_cli
from interfaces.cli import export as export_cli
from interfaces.cli import relay as relay_cli
from interfaces.cli.banner import banner
from interfaces.cli.store import announce

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Samverkan: event-sourced case management for rural service.",
)
token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens.")
app.add_typer(token_app, name="token")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(export_cli.app, name="export")
app.add_typer(demo_cli.app, name="demo")
app.command("replay")(audit_cli.replay)
app.command("relay")(relay_cli.relay)
app.command("follow")(relay_cli.follow)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore_command)


@app.callback()
def main() -> None:
    os.umask(0o077)  # whatever the service writes (database, WAL, keys) is its own to read
    configure_logging(get_settings())


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    demo: Annotated[
        bool, typer.Option(help="Load the demo programme into an empty store.")
    ] = False,
) -> None:
    """Run the HTTP API, projections included, in the foreground."""
    settings = get_settings()
    if settings.is_sqlite and workers > 1:
        typer.echo("SQLite has one writer: use --workers 1, or PostgreSQL for more.", err=True)
        raise typer.Exit(2)
    from infrastructure.bootstrap import bootstrap

    announce()
    # Creates tables and keys, rebuilds changed views and numbers an old store's issues,
    # once, before the workers start.
    samverkan = bootstrap(settings)
    if demo:
        from interfaces.cli.demo import load_demo

        load_demo(samverkan, only_if_empty=True)
    samverkan.close()
    store = "SQLite" if settings.is_sqlite else "PostgreSQL"
    typer.echo(banner(host, port, workers, store), err=True)
    uvicorn.run(
        "interfaces.http.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=8,
        # A worker answers the supervisor's ping only once its imports let go of the GIL; on a
        # busy machine uvicorn's 5 s default killed and restarted workers over and over.
        timeout_worker_healthcheck=30,
    )


@token_app.command("issue")
def issue_token(
    user: Annotated[str, typer.Option(help="The user id (the token's subject).")],
    role: Annotated[Role, typer.Option(help="caseworker, auditor, evaluator or admin.")],
    municipality: Annotated[
        str, typer.Option(help="A four-digit code, or '*' (quoted) for national scope.")
    ],
    ttl: Annotated[float, typer.Option(help="Hours until it expires.")] = 24.0,
    feed: Annotated[
        FeedKind | None,
        typer.Option(help="A calendar feed token instead: it reads this feed's .ics only."),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option(help="A feed's query parameter, as name=value.")
    ] = None,
) -> None:
    """Print one bearer token for the server run with the same settings.

    It signs with the key the server made under the var dir, and never makes one up: a key
    of its own would sign tokens that the server refuses.
    """
    announce()
    try:
        check_claims(user, role, municipality)
        if feed is not None:
            sys.stdout.write(_feed_token(Actor(user, role, municipality), feed, param or []) + "\n")
            return
        token = TokenIssuer(get_settings(), create_key=False).issue(
            user, role, municipality, ttl_hours=ttl
        )
    except KeyFileError as error:
        typer.echo(f"{error} Start the server once (samverkan serve) to make it.", err=True)
        raise typer.Exit(2) from error
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    sys.stdout.write(token + "\n")


def _feed_token(owner: Actor, kind: FeedKind, params: list[str]) -> str:
    """Register a feed in the store (so it can be revoked) and return its token."""
    from infrastructure.feeds import FEED_ROUTES, Feeds, feed_url
    from interfaces.cli.store import opened

    pairs = dict(p.split("=", 1) for p in params if "=" in p)
    if len(pairs) != len(params) or set(pairs) - FEED_ROUTES[kind][2]:
        raise ValueError(f"Parameters of a {kind} feed: {sorted(FEED_ROUTES[kind][2])}")
    with opened() as samverkan:
        created = Feeds(samverkan.events, samverkan.settings).create(owner, kind, pairs)
    typer.echo(f"feed {created.id}: {feed_url('', kind, pairs, created.token)}", err=True)
    return created.token


if __name__ == "__main__":
    app()
