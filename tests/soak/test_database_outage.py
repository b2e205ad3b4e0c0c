"""PostgreSQL stops under load and comes back: 503 with Retry-After meanwhile, then recovery.

The cluster is a private one (see conftest.py), so stopping it disturbs nobody else.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from infrastructure.settings import Settings
from tests.soak.conftest import PrivateCluster
from tests.soak.load import open_issues
from tests.soak.servers import Server, caseworker_headers, note_body, running

pytestmark = pytest.mark.soak

CLIENTS = 4


@dataclass(frozen=True)
class Answer:
    at: float
    status: int | str  # the HTTP status, or the transport error's name
    problem_json: bool
    retry_after: str | None


def keep_sending(
    server: Server,
    headers: dict[str, str],
    issue: str,
    stop: threading.Event,
    answers: list[Answer],
) -> None:
    """A note, then a list, over and over: writes and reads both meet the outage."""
    with httpx.Client(base_url=server.url, headers=headers, timeout=15) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if n % 2:
                    text = f"Samtal {n} med byalaget i Gårdby."
                    response = client.post(f"/api/v1/issues/{issue}/notes", json=note_body(text))
                else:
                    response = client.get("/api/v1/issues", params={"limit": 5})
            except httpx.TransportError as error:
                answers.append(Answer(time.monotonic(), type(error).__name__, False, None))
                continue
            answers.append(
                Answer(
                    time.monotonic(),
                    response.status_code,
                    response.headers.get("content-type") == "application/problem+json",
                    response.headers.get("retry-after"),
                )
            )
            time.sleep(0.02)


def first_success_after(answers: list[Answer], moment: float) -> float | None:
    times = [
        a.at for a in answers if a.at > moment and isinstance(a.status, int) and a.status < 300
    ]
    return min(times) if times else None


def test_the_service_answers_503_while_postgres_is_down_and_recovers_by_itself(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var", database_url=private_postgres.url)
    headers = caseworker_headers(settings)
    answers: list[Answer] = []
    stop = threading.Event()
    with running(settings) as server:
        issues = open_issues(server, headers, CLIENTS)
        threads = [
            threading.Thread(target=keep_sending, args=(server, headers, i, stop, answers))
            for i in issues
        ]
        for thread in threads:
            thread.start()
        time.sleep(2)
        private_postgres.stop("fast")
        down_at = time.monotonic()
        time.sleep(4)
        starting_at = time.monotonic()  # from here PostgreSQL may answer before pg_ctl returns
        private_postgres.start()
        up_at = time.monotonic()
        time.sleep(6)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    during = [a for a in answers if down_at + 0.5 < a.at < starting_at]
    recovered_at = first_success_after(answers, up_at)
    assert recovered_at is not None, "no success after PostgreSQL came back"
    recovery = recovered_at - up_at
    after = [a for a in answers if a.at > recovered_at + 0.5]
    server_errors = [
        a for a in answers if isinstance(a.status, int) and a.status >= 500 and a.status != 503
    ]
    unanswered = [a for a in answers if isinstance(a.status, str)]
    print(
        f"\noutage: {len(answers)} requests; while down {len(during)} answers "
        f"{sorted({a.status for a in during}, key=str)}; 500s {len(server_errors)}; "
        f"unanswered {len(unanswered)}; recovered {recovery:.2f} s after PostgreSQL was back; "
        f"after recovery {sorted({a.status for a in after}, key=str)}"
    )
    assert server_errors == []
    assert unanswered == []
    assert during and all(a.status == 503 for a in during)
    assert all(a.problem_json and a.retry_after for a in answers if a.status == 503)
    assert recovery <= 5
    assert after and all(isinstance(a.status, int) and a.status < 300 for a in after)
