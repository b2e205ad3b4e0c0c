"""The key store: data keys for personal data, apart from the event tables.

Each data key (32 random bytes, AES-256-GCM) is kept wrapped under a master key that lives
outside every database, in `<var_dir>/keys/master.key`. The wrapped keys live in their own
SQLite file (`<var_dir>/keystore.db`) or, on PostgreSQL, in the schema `samverkan_keys`,
reached through their own engine: their backups can be kept shorter than the log's, and a
destroyed key is gone from there for good (crypto-shredding).

Keys are made ahead of use, in a pool committed here before any command takes one, so a
command never waits for a second commit; which key belongs to which record or subject is
written in the main database, in the command's own transaction (`key_assignments`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from infrastructure.store.keys import make_private, write_key_once
from infrastructure.store.schema import create_missing

KEYS_SCHEMA = "samverkan_keys"
POOL_SIZE = 64  # keys made per refill
POOL_LOW = 16  # below this, a background thread refills
CACHE_SIZE = 10_000
CACHE_SECONDS = 60.0  # how long an unwrapped key stays cached at most
# Reads check the gallring generation at most this often; every command batch checks it.
GENERATION_CHECK_SECONDS = 0.1


def _data_key_table(schema: str | None) -> Table:
    metadata = MetaData(schema=schema)
    Table(  # one row: moves on with every deletion of keys, so other processes notice it
        "gallring_generation",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("generation", BigInteger, nullable=False),
    )
    return Table(
        "data_key",
        metadata,
        Column("key_id", String(36), primary_key=True),
        Column("wrapped", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("data_key_made", "created_at"),  # a pool's keys share their instant
    )


def master_key(var_dir: Path, create: bool) -> bytes | None:
    """The 32-byte key that wraps every data key; made on first use (mode 0600)."""
    path = var_dir / "keys" / "master.key"
    if not path.exists():
        if not create:
            return None
        write_key_once(path, secrets.token_bytes(32))
    return path.read_bytes()


def _associated(key_id: str) -> bytes:
    return f"data-key:{key_id}".encode()


def secure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Deleted content is overwritten with zeros, so an erased value leaves no bytes behind."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class KeyStore:
    """Data keys: made in pools, unwrapped on demand into a bounded, short-lived cache."""

    def __init__(self, store_url: str, var_dir: Path) -> None:
        self.var_dir = var_dir
        self._store_url = store_url
        self._engine: Engine | None = None
        self._table = _data_key_table(None if store_url.startswith("sqlite") else KEYS_SCHEMA)
        self._generations = self._table.metadata.tables[
            f"{self._table.schema}.gallring_generation"
            if self._table.schema
            else "gallring_generation"
        ]
        self._generation: int | None = None  # as last read here
        self._checked_at = 0.0
        self._on_gallring_elsewhere: list[Callable[[], None]] = []
        self._master: bytes | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._ahead: OrderedDict[str, bytes] = OrderedDict()  # read ahead, still wrapped
        self._pool: list[tuple[str, bytes]] = []
        self._refilling = False
        self.destroyed: set[str] = set()  # never served again by this process

    # -- the store itself ---------------------------------------------------------------

    @property
    def is_sqlite_file(self) -> bool:
        return self._store_url.startswith("sqlite") and ":memory:" not in self._store_url

    @property
    def path(self) -> Path:
        return (self.var_dir / "keystore.db").resolve()

    def _exists(self) -> bool:
        return self._engine is not None or not self.is_sqlite_file or self.path.exists()

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._open()
            return self._engine

    def _open(self) -> Engine:
        if self._store_url.startswith("sqlite"):
            if self.is_sqlite_file:
                self.var_dir.mkdir(parents=True, exist_ok=True)
                engine = create_engine(
                    f"sqlite:///{self.path}", connect_args={"timeout": 30}, pool_size=2
                )
            else:
                engine = create_engine("sqlite://", poolclass=StaticPool)
            sqlalchemy_event.listen(engine, "connect", secure_sqlite)
            if self.is_sqlite_file:
                with engine.connect():  # the file exists now: readable by the service only
                    for suffix in ("", "-journal", "-wal", "-shm"):
                        make_private(self.path.with_name(self.path.name + suffix))
        else:
            engine = create_engine(self._store_url, pool_size=2, max_overflow=4)
        # The indexes again, for key stores made before an index was declared.
        create_missing(
            engine, self._table.metadata, *self._table.indexes, schema=self._table.schema
        )
        with engine.begin() as connection:
            self._generation = self._read_generation(connection)
        self._checked_at = time.monotonic()
        return engine

    def _read_generation(self, connection: Connection) -> int:
        """The gallring generation; made 0 on first use."""
        query = select(self._generations.c.generation).where(self._generations.c.id == 1)
        found = connection.execute(query).scalar()
        if found is not None:
            return int(found)
        try:
            with connection.begin_nested():
                connection.execute(insert(self._generations), {"id": 1, "generation": 0})
        except IntegrityError:  # another process made it first
            return int(connection.execute(query).scalar_one())
        return 0

    def _wrapping(self, create: bool) -> AESGCM | None:
        if self._master is None:
            self._master = master_key(self.var_dir, create)
        return None if self._master is None else AESGCM(self._master)

    # -- making and taking keys ---------------------------------------------------------

    def take(self) -> tuple[str, bytes]:
        """A fresh key, already committed here; refilled ahead in the background."""
        with self._lock:
            if self._pool:
                taken = self._pool.pop()
                if len(self._pool) < POOL_LOW and not self._refilling:
                    self._refilling = True
                    threading.Thread(target=self._refill_in_background, daemon=True).start()
                self._remember(*taken)
                return taken
        made = self.make(POOL_SIZE)  # an empty pool: this command waits once
        with self._lock:
            self._pool.extend(made[1:])
            self._remember(*made[0])
        return made[0]

    def _refill_in_background(self) -> None:
        try:
            made = self.make(POOL_SIZE)
            with self._lock:
                self._pool.extend(made)
        finally:
            with self._lock:
                self._refilling = False

    def make(self, count: int) -> list[tuple[str, bytes]]:
        """Make `count` keys and commit them, wrapped, to the key store."""
        wrapping = self._wrapping(create=True)
        assert wrapping is not None
        now = datetime.now(UTC)
        made = [(str(uuid4()), AESGCM.generate_key(256)) for _ in range(count)]
        rows = []
        for key_id, key in made:
            nonce = secrets.token_bytes(12)
            wrapped = nonce + wrapping.encrypt(nonce, key, _associated(key_id))
            rows.append({"key_id": key_id, "wrapped": wrapped, "created_at": now})
        with self.engine().begin() as connection:
            connection.execute(insert(self._table), rows)
        return made

    # -- reading keys -------------------------------------------------------------------

    def get(self, key_id: str) -> bytes | None:
        """The unwrapped key, or None when it was destroyed (or never existed here)."""
        if key_id in self.destroyed:
            return None
        now = time.monotonic()
        if now - self._checked_at > GENERATION_CHECK_SECONDS:
            self.notice_gallring()
        with self._lock:
            cached = self._cache.get(key_id)
            if cached is not None and cached[1] > now:
                self._cache.move_to_end(key_id)
                return cached[0]
            wrapped = self._ahead.pop(key_id, None)
            generation = self._generation
        if wrapped is None:
            wrapped = self._read_pool(key_id, generation)
        wrapping = self._wrapping(create=False)
        if wrapped is None or wrapping is None:
            return None
        key = wrapping.decrypt(wrapped[:12], wrapped[12:], _associated(key_id))
        with self._lock:
            if key_id in self.destroyed:
                return None
            self._remember(key_id, key)
        return key

    def _read_pool(self, key_id: str, generation: int | None) -> bytes | None:
        """`key_id` wrapped, read with the keys made with it, in one query.

        Records take keys from a pool in turn, so a reader going through the log in order
        (replay, the relay, an export) will ask for the others next: they are kept, still
        wrapped, unless a gallring was noticed while they were read.
        """
        if not self._exists():
            return None
        with self.engine().connect() as connection:
            rows = connection.execute(self._made_together, {"key_id": key_id}).all()
        found = None
        with self._lock:
            keep = self._generation == generation
            for row_id, wrapped in rows:
                if row_id == key_id:
                    found = bytes(wrapped)
                elif keep and row_id not in self.destroyed and row_id not in self._cache:
                    self._ahead[row_id] = bytes(wrapped)
            while len(self._ahead) > CACHE_SIZE:
                self._ahead.popitem(last=False)
        return found

    @cached_property
    def _made_together(self) -> Select[Any]:
        t = self._table
        made = select(t.c.created_at).where(t.c.key_id == bindparam("key_id")).scalar_subquery()
        return select(t.c.key_id, t.c.wrapped).where(t.c.created_at == made)  # one pool's worth

    def _remember(self, key_id: str, key: bytes) -> None:
        self._cache[key_id] = (key, time.monotonic() + CACHE_SECONDS)
        self._cache.move_to_end(key_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    # -- gallring in other processes ------------------------------------------------------

    def on_gallring_elsewhere(self, listener: Callable[[], None]) -> None:
        """Call `listener` (e.g. to empty a cache of decrypted state) when keys were deleted
        by another process."""
        self._on_gallring_elsewhere.append(listener)

    def notice_gallring(self) -> bool:
        """Whether keys were deleted since this process last looked (one indexed read); if
        so, no cached key is served again and the listeners empty their caches."""
        in_memory = self._store_url.startswith("sqlite") and not self.is_sqlite_file
        if in_memory or not self._exists():  # an in-memory store has one process only
            return False
        with self.engine().connect() as connection:
            generation = self._read_generation(connection)
            connection.commit()
        with self._lock:
            self._checked_at = time.monotonic()
            moved = generation != self._generation
            self._generation = generation
            if moved:
                self._cache.clear()
                self._ahead.clear()
        if moved:
            for listener in self._on_gallring_elsewhere:
                listener()
        return moved

    # -- destroying keys ----------------------------------------------------------------

    def forget(self, key_ids: Iterable[str]) -> None:
        """From now on this process serves none of these keys (before they are deleted)."""
        with self._lock:
            for key_id in key_ids:
                self.destroyed.add(key_id)
                self._cache.pop(key_id, None)
                self._ahead.pop(key_id, None)

    def notice_destroyed(self, key_ids: Iterable[str]) -> None:
        """Keys a gallring marked destroyed, maybe in another process: none is served here
        again, and where one is new to this process, the listeners empty their caches."""
        with self._lock:
            new = set(key_ids) - self.destroyed
        if not new:
            return
        self.forget(new)
        for listener in self._on_gallring_elsewhere:
            listener()

    def unforget(self, key_ids: Iterable[str]) -> None:
        """Undo `forget` when the gallring that asked for it rolled back."""
        with self._lock:
            self.destroyed.difference_update(key_ids)

    def delete(self, key_ids: Iterable[str]) -> int:
        """Delete the key material for good, and scrub the freed bytes. Returns how many."""
        ids = sorted(set(key_ids))
        self.forget(ids)
        if not ids or not self._exists():
            return 0
        engine = self.engine()
        deleted = 0
        with engine.begin() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                deleted += connection.execute(
                    delete(self._table).where(self._table.c.key_id.in_(chunk))
                ).rowcount
            before = self._read_generation(connection)
            connection.execute(  # other processes empty their caches when they see it move
                update(self._generations)
                .where(self._generations.c.id == 1)
                .values(generation=self._generations.c.generation + 1)
            )
        with self._lock:
            if self._generation != before:  # another gallring came first: forget its keys too
                self._cache.clear()
                self._ahead.clear()
            self._generation = before + 1
        scrub(engine, [self._table.fullname])
        return deleted

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def scrub(engine: Engine, tables: Iterable[str]) -> None:
    """After a commit that erased values: no copy of their bytes is left in the files.

    SQLite (with `secure_delete` on every connection) keeps old pages in its WAL until a
    checkpoint; TRUNCATE copies them back and empties the WAL. PostgreSQL keeps dead tuples
    until VACUUM.
    """
    if engine.dialect.name == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            return
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f"VACUUM {table}")
