"""The few lines `samverkan serve` writes to stderr at start-up, for a person, not a log reader.

They say where the API and its docs are and how to get a token: the next step after starting.
The JSON (or console) log lines go on as before.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def banner(host: str, port: int, workers: int, store: str) -> str:
    url = f"http://{_reachable(host)}:{port}"
    return "\n".join(
        [
            "",
            f"  Samverkan is starting on {url}  ({_plural(workers, 'worker')}, {store})",
            f"  API docs:  {url}/docs",
            "  A token:   "
            f"{_own_command()} token issue --user anna.lind --role caseworker --municipality 0561",
            "             (in another terminal with the same SAMVERKAN_* settings), then",
            "             send it as `Authorization: Bearer <token>` or paste it under Authorize.",
            "  Stop with Ctrl+C.",
            "",
        ]
    )


def _reachable(host: str) -> str:
    """A wildcard address listens everywhere; a browser reaches it on the loopback address."""
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _own_command() -> str:
    """How this very `samverkan` was started, so the line pastes as it is (`.venv/bin/...`)."""
    started_as = Path(sys.argv[0])
    if started_as.name != "samverkan":
        return "samverkan"
    if started_as.is_absolute() and started_as.is_relative_to(Path.cwd()):
        return os.path.join(".", started_as.relative_to(Path.cwd()))
    return str(started_as)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
