"""The relay: the global log, in position order, published to NATS JetStream.

One relay per stream and store publishes (`relay_leader`). It reads the log after its recorded
position, publishes a batch with every message in flight at once, awaits the acknowledgements,
and only then moves its position (`relay_state`). Delivery is at least once; `Nats-Msg-Id`
(`<store id>:<position>`) lets JetStream drop the repeats. It only reads the log, so a relay that
cannot reach NATS delays nothing but itself: it backs off, exponentially up to a cap.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError

from application.policy import AccessPolicy
from infrastructure.integration.relay_leader import FileLeadership, Leadership, PostgresLeadership
from infrastructure.integration.relay_messages import Outgoing, RelayLog, outgoing
from infrastructure.integration.relay_state import ensure_relay_tables, store_id
from infrastructure.integration.relay_stream import connect, held_position
from infrastructure.settings import Settings
from infrastructure.store.event_store import EventStore

log = structlog.get_logger("relay")
IDLE_POLLS_PER_STREAM_CHECK = 50


@dataclass(frozen=True)
class RelayConfig:
    """Where and how to publish."""

    nats_url: str
    stream: str = "SAMVERKAN"
    subject_prefix: str = "samverkan"
    batch: int = 1000
    backoff_cap: float = 5.0
    idle_poll: float = 0.1
    lock_retry: float = 2.0
    ack_timeout: float = 10.0


class StreamLostError(Exception):
    """JetStream answered that no stream takes our subjects: it was deleted."""


class Relay:
    """Publishes the log to one JetStream stream while it holds the leadership for it."""

    def __init__(self, events: EventStore, leadership: Leadership, config: RelayConfig) -> None:
        self.config = config
        self.leadership = leadership
        self.reader = RelayLog(events, AccessPolicy())
        ensure_relay_tables(events.datastore.engine)
        self.store_id = store_id(events.datastore.engine)
        self.published = 0  # messages sent, repeats included: tests count who published
        self.position = 0  # the last position it recorded as acknowledged
        self.status = "starting"
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Relay until `stop()`: take the lead, publish, back off on failures, never give up."""
        delay = 0.1
        try:
            while not self._stopping.is_set():
                if not (self.leadership.held() or self.leadership.try_acquire()):
                    await self._pause(self.config.lock_retry)
                    continue
                try:
                    await self._publish_while_leading()
                    delay = 0.1
                except Exception as error:  # NATS or the store unreachable: try again later
                    self._say(f"unavailable: {type(error).__name__}", error=repr(error))
                    await self._pause(delay)
                    delay = min(delay * 2, self.config.backoff_cap)
        finally:
            self.leadership.close()

    async def _publish_while_leading(self) -> None:
        client = await connect(self.config.nats_url)
        try:
            js = client.jetstream(publish_async_max_pending=4 * self.config.batch)
            position = await self._reconcile(js)
            self._say("publishing", position=position)
            await self._publish_from(js, position)
        finally:
            await client.close()

    async def _publish_from(self, js: JetStreamContext, position: int) -> None:
        """Publish batch after batch, reading the next while the acks of one come back."""
        idle = 0
        batch = await asyncio.to_thread(self._read, position)
        while not self._stopping.is_set() and self.leadership.held():
            if not batch:
                idle += 1
                if idle % IDLE_POLLS_PER_STREAM_CHECK == 0:  # a stream lost while idle
                    position = await self._reconcile(js)
                await self._pause(self.config.idle_poll)
                batch = await asyncio.to_thread(self._read, position)
                continue
            upcoming = asyncio.ensure_future(asyncio.to_thread(self._read, batch[-1].position))
            try:
                position = await self._publish(js, batch, position)
            except StreamLostError:
                upcoming.cancel()
                self._say("stream lost: recreating it")
                position = await self._reconcile(js)
                batch = await asyncio.to_thread(self._read, position)
                continue
            except BaseException:
                upcoming.cancel()
                raise
            batch = await upcoming

    def _read(self, position: int) -> list[Outgoing]:
        items = self.reader.after(position, self.config.batch)
        return outgoing(items, self.store_id, self.config.subject_prefix)

    async def _publish(self, js: JetStreamContext, batch: list[Outgoing], position: int) -> int:
        """Every message in flight, then the acks; record the acknowledged prefix only."""
        futures = [await js.publish_async(m.subject, m.payload, headers=m.headers) for m in batch]
        self.published += len(futures)
        await asyncio.wait(futures, timeout=self.config.ack_timeout)
        acked, failure = position, None
        for message, future in zip(batch, futures, strict=True):
            if not future.done() or future.cancelled():
                failure = failure or TimeoutError("no acknowledgement from JetStream")
            elif future.exception() is not None:
                failure = failure or future.exception()
            if failure is None:
                acked = message.position
            future.cancel()
        if acked > position:
            await asyncio.to_thread(self.leadership.record, acked, "publishing")
            self.position = acked
        if isinstance(failure, NoStreamResponseError):
            raise StreamLostError from failure
        if failure is not None:
            raise failure
        return acked

    async def _reconcile(self, js: JetStreamContext) -> int:
        """Create the stream if missing; start from what it holds of this store's log.

        A new or emptied stream holds nothing: republish from 0. A stream that holds more than
        the recorded position (a relay killed between ack and record) is not sent those again.
        """
        config = self.config
        held = await held_position(js, config.stream, config.subject_prefix, self.store_id)
        recorded = await asyncio.to_thread(self.leadership.position)
        head = await asyncio.to_thread(self.reader.events.recorder.max_notification_id)
        if held is not None and held > (head or 0):
            # The stream is ahead of this very log (a store restored from a backup?): skipping
            # to `held` would leave new events unpublished, so keep the recorded position.
            log.warning("relay: the stream is ahead of the log", stream_holds=held, log_head=head)
            held = None
        if held is None or held == recorded:
            self.position = recorded
            return recorded
        self._say("reconciled with the stream", recorded=recorded, stream_holds=held)
        await asyncio.to_thread(self.leadership.record, held, "reconciled with the stream")
        self.position = held
        return held

    async def _pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while not self._stopping.is_set() and loop.time() < until:
            await asyncio.sleep(min(0.05, seconds))

    def _say(self, status: str, **fields: Any) -> None:
        if status == self.status:
            return
        self.status = status
        log.info("relay", status=status, stream=self.config.stream, **fields)
        try:
            if self.leadership.held():
                self.leadership.record(self.leadership.position(), status)
        except Exception:  # the status is a courtesy; the store may be the thing that is down
            pass


def relay_for(events: EventStore, settings: Settings, nats_url: str | None = None) -> Relay:
    """A relay for this store: advisory-locked on PostgreSQL, file-locked on SQLite."""
    url = nats_url or settings.nats_url
    if not url:
        raise ValueError("No NATS URL: pass --nats or set SAMVERKAN_NATS_URL.")
    stream = settings.nats_stream
    leadership: Leadership = (
        FileLeadership(events, settings.var_dir, stream)
        if settings.is_sqlite
        else PostgresLeadership(settings.store_url, stream)
    )
    config = RelayConfig(
        url, stream, settings.nats_subject_prefix, backoff_cap=settings.relay_backoff_cap_seconds
    )
    return Relay(events, leadership, config)


class RelayThread:
    """A relay on a thread of its own, as each `serve` worker runs one (only one publishes)."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.thread = threading.Thread(target=self._run, name="samverkan-relay", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.relay.run())

    def start(self) -> RelayThread:
        self.thread.start()
        return self

    def stop(self, within: float = 5.0) -> None:
        self.relay.stop()
        self.thread.join(within)
