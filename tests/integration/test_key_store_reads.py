"""A process that starts cold reads a key's whole pool in one query; nothing read ahead is
served past a gallring, and a neighbour that does not open spoils no other key."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import event, inspect

from infrastructure.store.keystore import POOL_SIZE, KeyStore

STORE_URL = "sqlite:////unused/samverkan.db"  # the key store lives in <var_dir>/keystore.db
RELEASE_2 = Path(__file__).parents[1] / "fixtures" / "stores" / "release-2"


@pytest.fixture
def made(tmp_path: Path) -> Iterator[list[tuple[str, bytes]]]:
    maker = KeyStore(STORE_URL, tmp_path)
    yield maker.make(POOL_SIZE)
    maker.close()


@pytest.fixture
def cold(tmp_path: Path, made: list[tuple[str, bytes]]) -> Iterator[KeyStore]:
    reader = KeyStore(STORE_URL, tmp_path)  # another process: nothing cached yet
    yield reader
    reader.close()


def key_reads(store: KeyStore) -> list[str]:
    seen: list[str] = []
    event.listen(
        store.engine(),
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: seen.append(statement),
    )
    return seen


def test_a_cold_process_reads_a_pool_of_keys_in_one_query(
    cold: KeyStore, made: list[tuple[str, bytes]]
) -> None:
    seen = key_reads(cold)
    assert [cold.get(key_id) for key_id, _ in made] == [key for _, key in made]
    assert len([s for s in seen if "FROM data_key" in s]) == 1


def test_a_key_read_ahead_is_not_served_once_forgotten(
    cold: KeyStore, made: list[tuple[str, bytes]]
) -> None:
    (first, _), (second, _) = made[:2]
    cold.forget([second])  # a gallring in this process
    cold.get(first)  # reads the pool, `second` among it
    assert cold.get(second) is None


def test_a_key_read_ahead_is_not_served_after_a_gallring_elsewhere(
    tmp_path: Path, cold: KeyStore, made: list[tuple[str, bytes]]
) -> None:
    (first, _), (second, _) = made[:2]
    cold.get(first)  # `second` is cached now
    other = KeyStore(STORE_URL, tmp_path)
    other.delete([second])  # another process's gallring
    other.close()
    assert cold.notice_gallring()
    assert cold.get(second) is None


def test_a_neighbour_that_does_not_open_spoils_no_other_key(
    tmp_path: Path, made: list[tuple[str, bytes]]
) -> None:
    (first, key), (tampered, _) = made[:2]
    with sqlite3.connect(tmp_path / "keystore.db") as db:
        db.execute("UPDATE data_key SET wrapped = zeroblob(60) WHERE key_id = ?", (tampered,))
    reader = KeyStore(STORE_URL, tmp_path)
    try:
        assert reader.get(first) == key
        with pytest.raises(InvalidTag):
            reader.get(tampered)
    finally:
        reader.close()


def test_a_key_store_of_an_earlier_release_gains_the_index_it_reads_pools_by(
    tmp_path: Path,
) -> None:
    var_dir = tmp_path / "var"
    shutil.copytree(RELEASE_2, var_dir, ignore=shutil.ignore_patterns("*.json", "samverkan.db"))
    for key in (var_dir / "keys").iterdir():
        key.chmod(0o600)
    store = KeyStore(STORE_URL, var_dir)
    try:
        names = {index["name"] for index in inspect(store.engine()).get_indexes("data_key")}
    finally:
        store.close()
    assert "data_key_made" in names
