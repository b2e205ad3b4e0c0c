"""Client-side load: commands with Idempotency-Keys, sent by threads, every answer recorded."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from infrastructure.settings import Settings
from tests.soak.servers import Server, issue_body, note_body


@dataclass
class Sent:
    """One command a client means to get acknowledged, and what it heard."""

    key: str
    path: str
    body: dict[str, Any]
    statuses: list[int | str] = field(default_factory=list)
    answer: dict[str, Any] | None = None  # the body of the first 2xx

    @property
    def acknowledged(self) -> bool:
        return self.answer is not None

    def send(self, client: httpx.Client) -> None:
        try:
            response = client.post(self.path, json=self.body, headers={"Idempotency-Key": self.key})
        except httpx.TransportError as error:  # refused, reset or timed out: unanswered
            self.statuses.append(type(error).__name__)
            return
        self.statuses.append(response.status_code)
        if 200 <= response.status_code < 300:
            self.answer = response.json()


def open_issues(server: Server, headers: dict[str, str], count: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        for n in range(count):
            opened = client.post("/api/v1/issues", json=issue_body(f"Ärende {n + 1} i Falerum"))
            assert opened.status_code == 201, opened.text
            ids.append(opened.json()["id"])
    return ids


def commands_for(writer: int, issue_id: str, count: int, tag: str) -> list[Sent]:
    """Mostly notes on the writer's own issue; every fifth command opens a new issue."""
    commands = []
    for n in range(count):
        key = f"{tag}-{writer}-{n}"
        if n % 5 == 4:
            body = issue_body(f"Nytt ärende {n} från skribent {writer + 1}")
            commands.append(Sent(key, "/api/v1/issues", body))
        else:
            text_ = f"Samtal {n} med byalaget i Trönö, skribent {writer + 1}."
            commands.append(Sent(key, f"/api/v1/issues/{issue_id}/notes", note_body(text_)))
    return commands


def send_all(url: str, headers: dict[str, str], commands: list[Sent], pause: float = 0.0) -> None:
    with httpx.Client(base_url=url, headers=headers, timeout=15) as client:
        for command in commands:
            command.send(client)
            if pause and not command.acknowledged:
                time.sleep(pause)  # the server is down: don't spin


def in_threads(jobs: list[Any]) -> list[threading.Thread]:
    threads = [threading.Thread(target=job) for job in jobs]
    for thread in threads:
        thread.start()
    return threads


def status_counts(commands: list[Sent]) -> Counter[int | str]:
    return Counter(s for c in commands for s in c.statuses)


def stored_events(settings: Settings) -> list[Any]:
    """(id, originator_id, originator_version) of every event in the store, by position."""
    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text(
                        "SELECT id, originator_id, originator_version "
                        "FROM samverkan_events ORDER BY id"
                    )
                )
            )
    finally:
        engine.dispose()


def remembered_keys(settings: Settings) -> list[str]:
    from infrastructure.views.read_models import VIEWS

    engine = create_engine(settings.store_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(VIEWS["idempotency"].c.key)).scalars())
    finally:
        engine.dispose()
