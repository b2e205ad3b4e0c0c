"""Servers under `wrk`: one on a free port with the product's uvicorn flags, loaded, stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from bench.product import issue_body

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
UVICORN_FLAGS = [
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--log-level",
    "warning",
    "--no-access-log",
]
CONNECTIONS = 16
WRK_THREADS = 2
LUA = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


@dataclass(frozen=True)
class Load:
    """What `wrk` saw: requests a second, and answers that were not 2xx (or that failed)."""

    rps: float
    requests: int
    not_2xx: int
    socket_errors: int
    server_cpu_seconds: float = 0.0  # user + system time of the server's processes under load

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_seconds / self.requests if self.requests else 0.0

    @property
    def clean(self) -> bool:
        return self.not_2xx == 0 and self.socket_errors == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def uvicorn_command(app: str, port: int, workers: int = 1, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += [*UVICORN_FLAGS, "--workers", str(workers)]
    return command + (["--factory"] if factory else [])


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run a server in its own process group; yield its base URL once it answers.

    The URL's fragment names the process group, so `wrk_post` can read the server's CPU time.
    """
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield f"{url}#{process.pid}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url + "/openapi.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not start within 60 s")


def wrk_post(url: str, token: str, seconds: float, script_dir: Path) -> Load:
    url, _, group = url.partition("#")
    cpu_before = process_group_cpu_seconds(int(group)) if group else 0.0
    script = script_dir / "post_issue.lua"
    script.write_text(LUA.format(body=json.dumps(issue_body(), ensure_ascii=False), token=token))
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(WRK_THREADS),
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url + "/api/v1/issues",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = process_group_cpu_seconds(int(group)) - cpu_before if group else 0.0
    return replace(parse_wrk(output), server_cpu_seconds=cpu)


def process_group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes in a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def parse_wrk(output: str) -> Load:
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", output) or 0)
    requests = int(_find(r"(\d+) requests in", output) or 0)
    not_2xx = int(_find(r"Non-2xx or 3xx responses: (\d+)", output) or 0)
    errors = _find(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
        output,
        all_groups=True,
    )
    return Load(rps, requests, not_2xx, sum(int(n) for n in errors) if errors else 0)


def _find(pattern: str, text: str, all_groups: bool = False) -> str | tuple[str, ...] | None:
    match = re.search(pattern, text)
    if match is None:
        return None
    return match.groups() if all_groups else match.group(1)
