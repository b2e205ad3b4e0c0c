"""`samverkan relay` publishes the log to NATS JetStream; `samverkan follow` reads it back.

`follow` is the reference consumer: a durable JetStream pull consumer on one municipality's
subjects, printing each CloudEvent as one JSON line and acknowledging it only once printed, so
a restart resumes after the last line it wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from typing import Annotated

import nats
import typer
from nats.errors import TimeoutError as NatsTimeout

from infrastructure.integration.relay import relay_for
from infrastructure.settings import get_settings
from interfaces.cli.store import opened

NatsOption = Annotated[
    str | None, typer.Option("--nats", help="NATS URL; default SAMVERKAN_NATS_URL.")
]
MUNICIPALITY = re.compile(r"^[0-9]{4}$")


def relay(nats_url: NatsOption = None) -> None:
    """Publish the global log to NATS JetStream, in order, at least once, until SIGTERM."""
    settings = get_settings()
    url = nats_url or settings.nats_url
    if not url:
        typer.echo("No NATS URL: pass --nats or set SAMVERKAN_NATS_URL.", err=True)
        raise typer.Exit(2)
    with opened() as samverkan:  # relays an existing store; never makes one up
        worker = relay_for(samverkan.events, settings, url)
        typer.echo(f"relay: NATS {url}, stream {settings.nats_stream}", err=True)
        signal.signal(signal.SIGTERM, lambda *_: worker.stop())
        try:
            asyncio.run(worker.run())
        except KeyboardInterrupt:
            worker.stop()


def follow(
    nats_url: Annotated[str, typer.Option("--nats", help="NATS URL.")],
    municipality: Annotated[str, typer.Option(help="A four-digit municipality code.")],
    durable: Annotated[
        str | None, typer.Option(help="Durable consumer name; default samverkan-follow-CODE.")
    ] = None,
    idle_exit: Annotated[
        float | None, typer.Option(help="Exit after this many seconds without a message.")
    ] = None,
) -> None:
    """Print one municipality's events as JSON lines, resuming from a durable consumer."""
    if not MUNICIPALITY.match(municipality):
        typer.echo("--municipality must be a four-digit code, e.g. 0561.", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    name = durable or f"samverkan-follow-{municipality}"
    subjects = f"{settings.nats_subject_prefix}.{municipality}.>"
    typer.echo(f"follow: {nats_url}, stream {settings.nats_stream}, {subjects}", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_follow(nats_url, settings.nats_stream, subjects, name, idle_exit))


async def _follow(url: str, stream: str, subjects: str, durable: str, idle: float | None) -> None:
    client = await nats.connect(url, max_reconnect_attempts=-1)
    try:
        subscription = await client.jetstream().pull_subscribe(
            subjects, durable=durable, stream=stream
        )
        quiet = 0.0
        while idle is None or quiet < idle:
            try:
                messages = await subscription.fetch(256, timeout=1)
            except (TimeoutError, NatsTimeout):
                quiet += 1
                continue
            quiet = 0.0
            for message in messages:
                sys.stdout.write(message.data.decode() + "\n")
                sys.stdout.flush()
                await message.ack()
        await client.flush()
    finally:
        await client.close()
