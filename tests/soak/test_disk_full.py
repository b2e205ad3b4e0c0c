"""A full disk under a running server: 507 naming the disk, nothing half-written, then recovery.

The var dir is an 8 MiB tmpfs that this test mounts (root only; skipped elsewhere, saying why).
Writers fill it with commands until the store refuses them; then a filler file made in the same
tmpfs is deleted, and commands succeed again without a restart.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infrastructure.settings import Settings
from tests.soak.load import stored_events
from tests.soak.servers import SAMVERKAN, Server, caseworker_headers, issue_body, server_env

pytestmark = pytest.mark.soak

WRITERS, MOST_COMMANDS = 4, 4000
FILLER_BYTES = 2 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"Cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(server: Server, headers: dict[str, str], answers: list[httpx.Response]) -> None:
    """Open issues until the disk refuses one, and a few more after that."""
    refused = 0
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        for n in range(MOST_COMMANDS // WRITERS):
            response = client.post("/api/v1/issues", json=issue_body(f"Ärende {n} i Gårdby"))
            answers.append(response)
            refused += response.status_code == 507
            if refused >= 5:
                return


def test_a_full_disk_answers_507_naming_it_and_writing_resumes_when_space_returns(
    small_disk: Path, tmp_path: Path
) -> None:
    settings = Settings(var_dir=small_disk / "var", rate_limit="off")
    headers = caseworker_headers(settings)
    server = Server(settings)
    server.log = tmp_path / "server.log"  # not on the small disk: logging must not fill it
    server.start()
    try:
        filler = small_disk / "filler"
        filler.write_bytes(b"\0" * FILLER_BYTES)
        answers: list[httpx.Response] = []
        threads = [
            threading.Thread(target=fill, args=(server, headers, answers)) for _ in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            read_while_full = client.get("/api/v1/issues", params={"limit": 5})
            filler.unlink()
            after = [
                client.post("/api/v1/issues", json=issue_body("Ärende efter städningen"))
                for _ in range(3)
            ]
    finally:
        server.stop()

    statuses = [a.status_code for a in answers]
    full = [a for a in answers if a.status_code == 507]
    acknowledged = [a.json() for a in answers if a.status_code == 201]
    print(
        f"\ndisk full: {len(answers)} commands, {len(acknowledged)} acknowledged, "
        f"{len(full)} answered 507, read while full {read_while_full.status_code}, "
        f"after freeing space {[a.status_code for a in after]}"
    )
    assert full, f"the disk never filled: {sorted(set(statuses))}"
    assert not [s for s in statuses if s >= 500 and s != 507]
    for answer in full:
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
        assert str(small_disk / "var") in answer.json()["detail"]
        assert "cannot be reached" not in answer.json()["detail"]
    assert read_while_full.status_code in (200, 507)
    assert [a.status_code for a in after] == [201, 201, 201]

    events = stored_events(settings)
    positions = {row.id for row in events}
    # Every acknowledged command is there, and nothing refused was written: one event each.
    assert {a["position"] for a in acknowledged} <= positions
    assert len(events) == len(acknowledged) + len(after)
    verify = subprocess.run(
        [SAMVERKAN, "audit", "verify"],
        env=server_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert '"intact": true' in verify.stdout
