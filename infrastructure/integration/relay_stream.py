"""The relay's side of NATS: one connection attempt, the stream, and what the stream holds."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from infrastructure.integration.relay_messages import position_of


async def connect(url: str) -> Client:
    """One attempt (nats-py reads 0 attempts as "forever"): the relay's own loop backs off."""
    return await asyncio.wait_for(
        nats.connect(
            url,
            allow_reconnect=False,
            connect_timeout=2,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            error_cb=_quiet,
        ),
        timeout=10,
    )


async def _quiet(error: Exception) -> None:
    """nats-py logs each failed attempt with a traceback; the relay reports its own status."""


async def held_position(
    js: JetStreamContext, stream: str, prefix: str, store_id: str
) -> int | None:
    """Create the stream if missing; the last position of this store it holds.

    0 for an empty stream; None where its last message is not ours or is gone (purged by the
    stream's own limits), so that nothing can be said.
    """
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        info = await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
    if not info.state.last_seq:
        return 0
    try:
        last = await js.get_msg(stream, seq=info.state.last_seq)
    except NotFoundError:
        return None
    return position_of((last.headers or {}).get("Nats-Msg-Id"), store_id)
