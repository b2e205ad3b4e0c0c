"""Key files made at first use: many makers at once end with one whole key, read whole by all."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from infrastructure.store.keys import chain_key
from infrastructure.store.keystore import master_key

MAKERS = 16


def made_at_once(make: object) -> list[bytes]:
    start = threading.Barrier(MAKERS)
    found: list[bytes] = []

    def one() -> None:
        start.wait()
        found.append(make())  # type: ignore[operator]

    threads = [threading.Thread(target=one) for _ in range(MAKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def test_the_master_key_made_by_many_at_once_is_one_whole_key(tmp_path: Path) -> None:
    for attempt in range(20):
        var_dir = tmp_path / str(attempt)
        keys = made_at_once(lambda: master_key(var_dir, create=True))  # noqa: B023
        assert len(keys) == MAKERS and len(set(keys)) == 1 and len(keys[0]) == 32
        path = var_dir / "keys" / "master.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["master.key"]  # no temporary left


def test_the_chain_key_made_by_many_at_once_is_one_whole_key(tmp_path: Path) -> None:
    for attempt in range(20):
        var_dir = tmp_path / str(attempt)
        keys = made_at_once(lambda: chain_key(var_dir))  # noqa: B023
        assert len(keys) == MAKERS and len(set(keys)) == 1
