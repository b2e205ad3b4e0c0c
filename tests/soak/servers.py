"""Real `samverkan serve` processes for load and fault tests, on 127.0.0.1 only.

A test starts the server as a subprocess with the same settings it uses itself (var dir, database
URL), so tokens it issues are verified by the server, and it can read the store afterwards.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer

SAMVERKAN = str(Path(sys.executable).parent / "samverkan")
PORTS = range(18600, 18700)  # this suite's own range
ÅTVIDABERG = "0561"


def free_port() -> int:
    """A port in our range that nothing listens on now.

    Random order, so that two test sessions on one machine rarely probe the same port at once.
    """
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in 18600-18699.")


def server_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env.update(
        SAMVERKAN_VAR_DIR=str(settings.var_dir),
        SAMVERKAN_RATE_LIMIT="off",
        SAMVERKAN_LOG_FORMAT="json",
    )
    if settings.database_url:
        env["SAMVERKAN_DATABASE_URL"] = settings.database_url
    if settings.nats_url:  # the relay inside serve
        env["SAMVERKAN_NATS_URL"] = settings.nats_url
        env["SAMVERKAN_NATS_STREAM"] = settings.nats_stream
        env["SAMVERKAN_NATS_SUBJECT_PREFIX"] = settings.nats_subject_prefix
    return env


class Server:
    """One `samverkan serve` process (and its workers), in its own process group."""

    def __init__(self, settings: Settings, workers: int = 1) -> None:
        self.settings = settings
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = settings.var_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_within: float = 60.0) -> Server:
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=server_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_live(ready_within)
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise
        return self

    def command(self) -> list[str]:
        port, workers = str(self.port), str(self.workers)
        return [SAMVERKAN, "serve", "--host", "127.0.0.1", "--port", port, "--workers", workers]

    def _wait_until_live(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited: {self.log.read_text()[-2000:]}")
            try:
                live = httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200
                if live and self.process.poll() is None:  # ours, not another session's server
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"The server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """kill -9 on the whole process group: no shutdown code runs anywhere."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, within: float = 10.0) -> int:
        """SIGTERM, as a service manager sends it; the exit code, or raise if it hangs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=within)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def running(settings: Settings, workers: int = 1) -> Iterator[Server]:
    server = Server(settings, workers)
    try:
        yield server.start()
    finally:
        server.stop()


def caseworker_headers(settings: Settings, user: str = "anna.lind") -> dict[str, str]:
    token = TokenIssuer(settings).issue(user, Role.CASEWORKER, ÅTVIDABERG)
    return {"Authorization": f"Bearer {token}"}


def issue_body(title: str = "Butiken i Falerum kan stänga") -> dict[str, Any]:
    return {
        "municipality": ÅTVIDABERG,
        "locality": "Falerum",
        "title": title,
        "description": "Byalaget oroar sig för att dagligvarubutiken läggs ned.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
    }


def note_body(text: str) -> dict[str, Any]:
    return {
        "kind": "dialogue",
        "text": text,
        "occurred_on": date.today().isoformat(),
        "public": False,
    }
