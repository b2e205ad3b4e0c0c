"""Relay: events/s the relay publishes to JetStream ÷ raw JetStream publishes of the same payloads.

The log is seeded through the bus on a SQLite file. The product is the relay (`relay_for`, as
`samverkan relay` builds it) publishing the whole log into a fresh stream, timed until it has
recorded the last position. The baseline is one nats-py client publishing the very messages the
relay sends (subjects, CloudEvent bytes, headers) with the same pipelining: a batch in flight,
then its acknowledgements. Rounds alternate, each with fresh streams. Then the relay's lag is
sampled while 16 threads write commands through the bus.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
import uuid
from dataclasses import replace

import nats

from bench.common import ROUNDS, Figure, alternate, at_least, say
from bench.product import add_note, open_issue, running
from infrastructure.bootstrap import Samverkan
from infrastructure.integration.relay import RelayThread, relay_for
from infrastructure.integration.relay_messages import Outgoing
from infrastructure.integration.relay_state import relay_lag

NATS_URL = os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222")
ISSUES = 1_000
NOTES_PER_ISSUE = 4
WRITERS = 16
LOAD_SECONDS = 10.0
GOAL = 0.5


def measure() -> list[Figure]:
    with running("sqlite", "relay") as samverkan:
        say(f"  seeding {ISSUES * (NOTES_PER_ISSUE + 1):,} events by dispatching commands")
        for n in range(ISSUES):
            issue = open_issue(samverkan, n).id
            for _ in range(NOTES_PER_ISSUE):
                add_note(samverkan, issue)
        raw, product, pairs = alternate(
            ROUNDS, lambda: _raw_rate(samverkan), lambda: _relay_rate(samverkan)
        )
        lag_notes = _lag_under_writers(samverkan)
    ratio = product / raw
    goal, met = at_least(ratio, GOAL)
    return [
        Figure(
            "relay (sqlite)",
            ratio,
            goal,
            met,
            product=f"{product:,.0f} events/s relayed",
            baseline=f"{raw:,.0f} msgs/s raw JetStream publishes",
            notes=[
                "rounds (raw, relay): " + ", ".join(f"({b:,.0f}, {p:,.0f})" for b, p in pairs),
                *lag_notes,
            ],
        )
    ]


def _streamed(samverkan: Samverkan, tag: str) -> Samverkan:
    token = f"{tag}{uuid.uuid4().hex[:8]}"
    settings = samverkan.settings.model_copy(
        update={
            "nats_url": NATS_URL,
            "nats_stream": f"BENCH_{token}",
            "nats_subject_prefix": f"bench_{token}",
        }
    )
    return replace(samverkan, settings=settings)


def _relay_rate(samverkan: Samverkan) -> float:
    service = _streamed(samverkan, "relay")
    head = service.events.recorder.max_notification_id() or 0
    relay = relay_for(service.events, service.settings)
    started = time.perf_counter()
    thread = RelayThread(relay).start()
    try:
        while relay.position < head:
            time.sleep(0.02)  # coarse: a busy poll would take the GIL from the relay
        elapsed = time.perf_counter() - started
    finally:
        thread.stop()
        _delete_stream(service.settings.nats_stream)
    return head / elapsed


def _raw_rate(samverkan: Samverkan) -> float:
    """The relay's own messages, published by a bare client into a stream of its own."""
    service = _streamed(samverkan, "raw")
    relay = relay_for(service.events, service.settings)
    relay.leadership.close()
    messages: list[Outgoing] = []
    while True:
        batch = relay._read(messages[-1].position if messages else 0)
        if not batch:
            break
        messages += batch
    size = relay.config.batch
    batches = [messages[i : i + size] for i in range(0, len(messages), size)]
    settings = service.settings
    try:
        elapsed = asyncio.run(
            _publish_raw(settings.nats_stream, settings.nats_subject_prefix, batches)
        )
    finally:
        _delete_stream(settings.nats_stream)
    return len(messages) / elapsed


async def _publish_raw(stream: str, prefix: str, batches: list[list[Outgoing]]) -> float:
    started = time.perf_counter()
    client = await nats.connect(NATS_URL)
    js = client.jetstream(publish_async_max_pending=4 * len(batches[0]))
    await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
    for batch in batches:
        futures = [await js.publish_async(m.subject, m.payload, headers=m.headers) for m in batch]
        await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def _lag_under_writers(samverkan: Samverkan) -> list[str]:
    """Sample the relay's lag while WRITERS threads dispatch commands for LOAD_SECONDS."""
    service = _streamed(samverkan, "lag")
    relay = relay_for(service.events, service.settings)
    thread = RelayThread(relay).start()
    head = service.events.recorder.max_notification_id() or 0
    while relay.position < head:  # publish the seeded log first: lag under load is the figure
        time.sleep(0.01)
    deadline = time.perf_counter() + LOAD_SECONDS
    written = [0] * WRITERS

    def write(slot: int) -> None:
        while time.perf_counter() < deadline:
            add_note(service, open_issue(service, slot).id)
            written[slot] += 2

    writers = [threading.Thread(target=write, args=(slot,)) for slot in range(WRITERS)]
    for writer in writers:
        writer.start()
    events, seconds = [], []
    while time.perf_counter() < deadline:
        time.sleep(0.25)
        with service.events.reading() as session:
            head = service.events.recorder.max_notification_id() or 0
            lag = relay_lag(session.connection(), service.settings.nats_stream, head)
        if lag is not None:
            events.append(lag.events)
            seconds.append(lag.seconds)
    for writer in writers:
        writer.join()
    thread.stop()
    _delete_stream(service.settings.nats_stream)
    rate = sum(written) / LOAD_SECONDS
    return [
        f"lag under {WRITERS} writers ({rate:,.0f} events/s written through the bus, "
        f"{len(events)} samples): events median {statistics.median(events):.0f}, "
        f"max {max(events)}; seconds median {statistics.median(seconds):.3f}, "
        f"max {max(seconds):.3f}"
    ]


def _delete_stream(stream: str) -> None:
    async def delete() -> None:
        client = await nats.connect(NATS_URL)
        try:
            await client.jetstream().delete_stream(stream)
        finally:
            await client.close()

    asyncio.run(delete())
