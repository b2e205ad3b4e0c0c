"""`make soak-long`: steady mixed load on a real server for SOAK_MINUTES (default 30).

Writers send commands, readers list and view issues, one client exports timelines and one
follows the global log. Every minute it prints the server's RSS and open file descriptors, the
SQLite WAL's size, p50 and p99 latency per kind of request, and errors. It ends with
`audit verify` and `replay --check`, and prints growth per hour and the worst p99 drift.
Exit 1 on any 5xx, a broken chain or a replay difference. Not part of `make test` or CI.

Settings: SOAK_MINUTES, SOAK_DIR (default a new temporary directory), and
SOAK_DATABASE_URL to run it on PostgreSQL instead of the embedded SQLite.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from tests.soak.servers import SAMVERKAN, ÅTVIDABERG, Server, issue_body, note_body, server_env

WRITERS, READERS = 4, 2
PAUSE = 0.1  # per client between requests: steady load, not a benchmark


class Recorder:
    """Latencies and errors per kind of request, for the current minute."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.server_errors = 0

    def timed(self, kind: str, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except httpx.TransportError as error:
            with self.lock:
                self.errors[f"{kind}:{type(error).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response.status_code >= 400:
                self.errors[f"{kind}:{response.status_code}"] += 1
            if response.status_code >= 500:
                self.server_errors += 1
        return response

    def take(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        with self.lock:
            taken = (dict(self.latencies), dict(self.errors))
            self.latencies, self.errors = defaultdict(list), defaultdict(int)
        return taken


def headers(settings: Settings, user: str, role: Role, municipality: str) -> dict[str, str]:
    token = TokenIssuer(settings).issue(user, role, municipality, ttl_hours=48)
    return {"Authorization": f"Bearer {token}"}


def writer(url: str, auth: dict[str, str], n: int, stop: threading.Event, rec: Recorder) -> None:
    with httpx.Client(base_url=url, headers=auth, timeout=60) as client:
        opened = rec.timed("command", lambda: client.post("/api/v1/issues", json=issue_body()))
        issue = opened.json()["id"] if opened is not None and opened.status_code == 201 else None
        count = 0
        while not stop.is_set():
            count += 1
            if issue is None or count % 5 == 0:
                body = issue_body(f"Ärende {count} från skribent {n}")
                response = rec.timed(
                    "command", lambda b=body: client.post("/api/v1/issues", json=b)
                )
                if response is not None and response.status_code == 201:
                    issue = response.json()["id"]
            else:
                path, text = f"/api/v1/issues/{issue}/notes", f"Samtal {count} i Trönö."
                rec.timed("command", lambda p=path, t=text: client.post(p, json=note_body(t)))
            time.sleep(PAUSE)


def reader(url: str, auth: dict[str, str], stop: threading.Event, rec: Recorder) -> None:
    with httpx.Client(base_url=url, headers=auth, timeout=60) as client:
        while not stop.is_set():
            params = {"status": "open", "locality": "Falerum", "limit": 50}
            listed = rec.timed("list", lambda p=params: client.get("/api/v1/issues", params=p))
            items = listed.json()["items"] if listed is not None and listed.is_success else []
            if items:
                path = f"/api/v1/issues/{items[-1]['id']}"
                rec.timed("view", lambda p=path: client.get(p))
            time.sleep(PAUSE)


def exporter(url: str, auth: dict[str, str], stop: threading.Event, rec: Recorder) -> None:
    formats = ["csv", "json", "html", "ics"]
    with httpx.Client(base_url=url, headers=auth, timeout=600) as client:
        n = 0
        while not stop.is_set():
            params = {"municipality": ÅTVIDABERG, "format": formats[n % len(formats)]}
            n += 1
            rec.timed("export", lambda p=params: _drain(client, "/api/v1/exports/timeline", p))
            time.sleep(1.0)


def _drain(client: httpx.Client, path: str, params: dict[str, Any]) -> httpx.Response:
    with client.stream("GET", path, params=params) as response:
        for _ in response.iter_bytes():
            pass
    return response


def follower(url: str, auth: dict[str, str], stop: threading.Event, rec: Recorder) -> None:
    after = 0
    with httpx.Client(base_url=url, headers=auth, timeout=60) as client:
        while not stop.is_set():
            params = {"after": after, "limit": 200}
            page = rec.timed("log", lambda p=params: client.get("/api/v1/audit/events", params=p))
            if page is not None and page.is_success and page.json()["items"]:
                after = page.json()["items"][-1]["position"]
            time.sleep(PAUSE)


def process_tree(root: int) -> list[int]:
    """The server and its children (uvicorn may fork), from /proc."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == root or int(fields[1]) == root:  # parent, or process group
                pids.append(int(entry.name))
    return sorted(set(pids))


def rss_and_fds(root: int) -> tuple[float, int]:
    rss_kib, fds = 0, 0
    for pid in process_tree(root):
        try:
            status = (Path("/proc") / str(pid) / "status").read_text()
            rss_kib += int(
                next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
            )
            fds += len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            continue
    return rss_kib / 1024, fds


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def sample(minute: int, server: Server, settings: Settings, rec: Recorder) -> dict[str, Any]:
    assert server.process is not None
    rss, fds = rss_and_fds(server.process.pid)
    wal = settings.var_dir / "samverkan.db-wal"
    latencies, errors = rec.take()
    row: dict[str, Any] = {
        "minute": minute,
        "rss_mib": round(rss, 1),
        "fds": fds,
        "wal_mib": round(wal.stat().st_size / 2**20, 2) if wal.exists() else None,
        "errors": errors,
    }
    for kind, values in sorted(latencies.items()):
        row[kind] = {
            "n": len(values),
            "p50_ms": round(percentile(values, 0.5), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
        }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def per_hour(rows: list[dict[str, Any]], key: str) -> float:
    """Least-squares slope of `key` per hour, after the first minute's warm-up."""
    points = [(r["minute"], r[key]) for r in rows[1:] if r.get(key) is not None]
    if len(points) < 2:
        return 0.0
    return statistics.linear_regression(*zip(*points, strict=True)).slope * 60


def closing(settings: Settings, rows: list[dict[str, Any]], server_errors: int) -> int:
    env = server_env(settings)
    verify = subprocess.run([SAMVERKAN, "audit", "verify"], env=env, capture_output=True, text=True)
    check = subprocess.run(
        [SAMVERKAN, "replay", "--check"], env=env, capture_output=True, text=True
    )
    drift = {}
    for kind in ("command", "list", "view", "export", "log"):
        p99s = [r[kind]["p99_ms"] for r in rows[1:] if kind in r]
        if len(p99s) >= 2:
            drift[kind] = round(max(p99s) / p99s[0], 2)
    summary = {
        "minutes": len(rows),
        "rss_mib_per_hour": round(per_hour(rows, "rss_mib"), 1),
        "fds_per_hour": round(per_hour(rows, "fds"), 1),
        "wal_mib_max": max((r["wal_mib"] or 0) for r in rows) if rows else 0,
        "worst_p99_drift_vs_minute_2": drift,
        "server_errors": server_errors,
        "verify": verify.stdout.strip(),
        "replay_check": check.stdout.strip().splitlines()[-1:] if check.stdout else check.stderr,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
    return 0 if verify.returncode == 0 and check.returncode == 0 and server_errors == 0 else 1


def main() -> int:
    minutes = float(os.environ.get("SOAK_MINUTES", "30"))
    base = Path(os.environ.get("SOAK_DIR") or tempfile.mkdtemp(prefix="samverkan-soak-"))
    settings = Settings(
        var_dir=base / "var", database_url=os.environ.get("SOAK_DATABASE_URL"), rate_limit="off"
    )
    print(
        f"soak-long: {minutes} min on {settings.store_url} (var dir {settings.var_dir})",
        file=sys.stderr,
    )
    server = Server(settings)
    server.log = base / "server.log"
    server.start()
    rec, stop = Recorder(), threading.Event()
    caseworker = headers(settings, "anna.lind", Role.CASEWORKER, ÅTVIDABERG)
    auditor = headers(settings, "revisor.berg", Role.AUDITOR, "*")
    jobs = [lambda n=n: writer(server.url, caseworker, n, stop, rec) for n in range(WRITERS)]
    jobs += [lambda: reader(server.url, caseworker, stop, rec) for _ in range(READERS)]
    jobs += [
        lambda: exporter(server.url, auditor, stop, rec),
        lambda: follower(server.url, auditor, stop, rec),
    ]
    threads = [threading.Thread(target=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    rows, started = [], time.monotonic()
    try:
        for minute in range(1, int(minutes) + 1):
            time.sleep(max(0.0, started + minute * 60 - time.monotonic()))
            rows.append(sample(minute, server, settings, rec))
        stop.set()
        for thread in threads:
            thread.join(timeout=600)
        return closing(settings, rows, rec.server_errors)
    finally:
        stop.set()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
