"""The real NATS server for relay tests: the machine's, or a private one a test may restart.

Each test publishes to a stream and subject prefix of its own, deleted afterwards, so tests
(and engineers) sharing the machine's server never see each other's messages. Where the server
is unreachable the tests skip, unless SAMVERKAN_TEST_NATS_REQUIRED is set (`.ci/run` sets it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError

NATS_URL = os.environ.get("SAMVERKAN_TEST_NATS_URL", "nats://127.0.0.1:4222")
NATS_SERVER = Path("/usr/sbin/nats-server")
PRIVATE_PORTS = range(18700, 18800)  # the relay tests' own range
START_HINT = (
    "start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server"
    " -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log"
)


def reachable(url: str = NATS_URL) -> bool:
    host, _, port = url.removeprefix("nats://").partition(":")
    try:
        with socket.create_connection((host, int(port or 4222)), timeout=1):
            return True
    except OSError:
        return False


def require_nats(url: str = NATS_URL) -> None:
    if reachable(url):
        return
    message = f"NATS is not reachable at {url}; {START_HINT}"
    if os.environ.get("SAMVERKAN_TEST_NATS_REQUIRED"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Stream:
    """A stream and subject prefix that only one test uses."""

    url: str
    name: str
    prefix: str

    @classmethod
    def unique(cls, url: str = NATS_URL) -> Stream:
        token = uuid.uuid4().hex[:10]
        return cls(url, f"RELAY_TEST_{token}", f"relaytest_{token}")

    def settings(self) -> dict[str, Any]:
        return {
            "nats_url": self.url,
            "nats_stream": self.name,
            "nats_subject_prefix": self.prefix,
            "relay_backoff_cap_seconds": 0.5,
        }

    def messages(self) -> list[Received]:
        """Every message the stream holds, in stream order."""
        return asyncio.run(_read_all(self.url, self.name, self.prefix))

    def positions(self) -> list[int]:
        return [int(message.event["id"]) for message in self.messages()]

    def delete(self) -> None:
        asyncio.run(_delete(self.url, self.name))


@dataclass(frozen=True)
class Received:
    """One message read back from the stream: its subject, headers and CloudEvent."""

    subject: str
    headers: dict[str, str]
    event: dict[str, Any]


async def _read_all(url: str, stream: str, prefix: str) -> list[Received]:
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        try:
            held = (await js.stream_info(stream)).state.messages
        except NotFoundError:
            return []
        subscription = await js.pull_subscribe(f"{prefix}.>", stream=stream)
        found: list[Received] = []
        while len(found) < held:
            try:
                batch = await subscription.fetch(500, timeout=2)
            except (TimeoutError, NatsTimeout):
                break
            found += [Received(m.subject, dict(m.headers or {}), json.loads(m.data)) for m in batch]
            for message in batch:
                await message.ack()
        await subscription.unsubscribe()
        return found
    finally:
        await client.close()


async def _delete(url: str, stream: str) -> None:
    client = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


@pytest.fixture
def stream() -> Iterator[Stream]:
    require_nats()
    made = Stream.unique()
    yield made
    made.delete()


def wait_until(check: Callable[[], bool], within: float = 60.0, what: str = "") -> None:
    """Poll `check` until true; fail naming `what` after `within` seconds (a bound, not a test)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what or check}")


def reserved_port() -> socket.socket:
    """A port of the private range, held by a bound socket that does not listen.

    While it is held, a connection to the port is refused (as to a server that is down) and
    no other test process can pick the same port for its own server.
    """
    for port in random.sample(PRIVATE_PORTS, len(PRIVATE_PORTS)):
        holder = socket.socket()
        try:
            holder.bind(("127.0.0.1", port))
        except OSError:
            holder.close()
            continue
        return holder
    raise RuntimeError("No free port in 18700-18799.")


class PrivateNats:
    """`nats-server -js` on a port and store directory of its own, that a test may restart."""

    def __init__(self) -> None:
        if not NATS_SERVER.exists():
            pytest.skip(f"No {NATS_SERVER}: install the nats-server package")
        self._held: socket.socket | None = reserved_port()  # held whenever no server runs
        self.port = self._held.getsockname()[1]
        self.url = f"nats://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix="samverkan-nats-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateNats:
        command = [str(NATS_SERVER), "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        command += ["-sd", str(self.directory / "store")]
        log = (self.directory / "nats.log").open("ab")
        self._release()
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: reachable(self.url), 30, f"nats-server on {self.port}")
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._hold()

    def close(self) -> None:
        self.kill()
        self._release()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _hold(self) -> None:
        """Keep the port while the server is down, so no other test's server takes it."""
        if self._held is None:
            holder = socket.socket()
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
            try:
                holder.bind(("127.0.0.1", self.port))
            except OSError:  # taken in the instant between: the test will name what it meets
                holder.close()
                return
            self._held = holder

    def _release(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
