"""The event store: the eventsourcing library over SQLAlchemy, on SQLite or PostgreSQL.

`EventStore` is an eventsourcing `Application` used only as a repository and event log;
commands go through the bus, never through application methods.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from threading import Semaphore
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import (
    InfrastructureFactory,
    JSONTranscoder,
    Mapper,
    Recording,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
)
from sqlalchemy import Engine, Select, bindparam, create_engine, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from domain.base import CaseAggregate
from domain.decision import Decision
from domain.issue import Issue
from domain.outcome import Outcome
from domain.task_force import TaskForce
from infrastructure.store.group_commit import once_per_transaction
from infrastructure.store.integrity import chain_metadata, extend_chain
from infrastructure.store.schema import create_missing
from infrastructure.store.sealing import SealingMapper, sealing_mapper
from infrastructure.store.transcoding import DateAsISO, TaggedJSONTranscoder

SNAPSHOT_INTERVAL = 50  # a command never replays more than this many events
LOCKED = "samverkan.events_locked"
SQLITE_BEGIN = "samverkan_sqlite_begin"


class ChainedRecorder(SQLAlchemyApplicationRecorder):
    """Adds each transaction's events to the hash chain, under the same table lock.

    Events are inserted with one Core `INSERT ... RETURNING id` rather than the library's ORM
    add + flush: the same rows, lock and NOTIFY, without the unit-of-work bookkeeping, which
    was about a seventh of a command's time in the profile.
    """

    chain_key: bytes = b""

    def create_table(self) -> None:
        assert self.datastore.engine is not None
        create_missing(self.datastore.engine, *self.tables, chain_metadata)

    def _insert_stored_events(self, session: Session, stored_events: Any, **kwargs: Any) -> Any:
        if not stored_events:
            return []
        self.lock_for_writing(session)
        ids = self._insert_returning_ids(session, stored_events)
        records = [
            _Inserted(id, e.originator_id, e.originator_version, e.topic, e.state)
            for id, e in zip(ids, stored_events, strict=True)
        ]
        extend_chain(session, self.chain_key, records, self.events_record_cls.__table__)
        return ids

    def lock_for_writing(self, session: Session) -> None:
        """Take the log's write lock in this transaction, if it has not got it yet.

        A group commit's members share one transaction: the table lock (PostgreSQL: commit
        order equals id order for log readers) and the NOTIFY are needed once in it. A command
        that reads what the next writer must not read too (the highest registration number)
        takes it before that read, so writers in other processes wait instead of colliding.
        """
        if once_per_transaction(session, LOCKED):
            self._lock_and_notify(session)

    def _lock_and_notify(self, session: Session) -> None:
        """PostgreSQL: the table lock and the NOTIFY in one round trip, not two.

        A NOTIFY is delivered at COMMIT wherever it stands in the transaction, so sending it
        with the lock, before the insert, tells listeners exactly what sending it after did.
        """
        assert self.datastore.engine is not None
        if self.datastore.engine.dialect.name != "postgresql":
            self._lock_table(session)
            self._notify_channel(session)
            return
        table = self.events_table_name
        if self.schema_name is not None:
            table = f"{self.schema_name}.{table}"
        session.connection().exec_driver_sql(
            f"LOCK TABLE {table} IN EXCLUSIVE MODE; NOTIFY {self.channel_name}"
        )

    def _insert_returning_ids(self, session: Session, stored_events: Any) -> list[int]:
        table = self.events_record_cls.__table__
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        if len(rows) == 1:  # on the connection: the ORM session's execute costs more than this
            connection = session.connection()
            return [connection.execute(self._insert_one(table), rows[0]).scalar_one()]
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.execute(returning, rows).scalars())

    @staticmethod
    @cache
    def _insert_one(table: Any) -> Any:
        return insert(table).returning(table.c.id)

    def select_events(
        self,
        originator_id: Any,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """The library's query, as a Core statement built once a shape and run on the connection.

        The library builds an ORM query per call; its cache key and ORM execution were the
        largest part of loading a cached aggregate (the fast-forward every command does).
        """
        table = self.events_record_cls.__table__
        statement = _select_events(table, gt is not None, lte is not None, desc, limit)
        params = {"originator_id": originator_id, "gt": gt, "lte": lte}
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement, params).all()
        return [
            StoredEvent(
                originator_id=row[0],
                originator_version=row[1],
                topic=row[2],
                state=bytes(row[3]) if isinstance(row[3], memoryview) else row[3],
            )
            for row in rows
        ]


@cache
def _select_events(table: Any, gt: bool, lte: bool, desc: bool, limit: int | None) -> Select[Any]:
    columns = table.c
    version = columns.originator_version
    statement = select(columns.originator_id, version, columns.topic, columns.state).where(
        columns.originator_id == bindparam("originator_id")
    )
    if gt:
        statement = statement.where(version > bindparam("gt"))
    if lte:
        statement = statement.where(version <= bindparam("lte"))
    statement = statement.order_by(version.desc() if desc else version)
    return statement.limit(limit) if limit is not None else statement


class _Inserted:
    __slots__ = ("id", "originator_id", "originator_version", "state", "topic")

    def __init__(
        self, id: int, originator_id: Any, originator_version: int, topic: str, state: bytes
    ) -> None:
        self.id, self.originator_id, self.originator_version = id, originator_id, originator_version
        self.topic, self.state = topic, state


class SnapshotRecorder(SQLAlchemyAggregateRecorder):
    def create_table(self) -> None:
        assert self.datastore.engine is not None
        create_missing(self.datastore.engine, *self.tables)


class StoreFactory(SQLAlchemyFactory):
    """Builds the engine with the durability and timeouts Samverkan promises."""

    application_recorder_class = ChainedRecorder
    aggregate_recorder_class = SnapshotRecorder

    def transcoder(self) -> Transcoder:
        return TaggedJSONTranscoder()

    def __init__(self, env: Environment):
        InfrastructureFactory.__init__(self, env)
        self._schema_name = None
        url = str(env.get("SQLALCHEMY_URL"))
        if url.startswith("sqlite"):
            self.datastore = SQLAlchemyDatastore(url=url, connect_args={"timeout": 30})
            set_up_sqlite(self.datastore.engine)
            if ":memory:" not in url:
                self.datastore.write_lock = Semaphore()  # SQLite has one writer
                self.datastore._tried_init_sqlite_wal_mode = True
                self.datastore.is_sqlite_wal_mode = True
        else:
            self.datastore = SQLAlchemyDatastore(
                url=url,
                pool_size=int(env.get("POOL_SIZE", "10")),
                max_overflow=10,
                pool_pre_ping=True,
                pool_recycle=1800,
                pool_timeout=10,
            )

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()
        recorder.chain_key = self.env.get("CHAIN_KEY", "").encode()
        return recorder

    def close(self) -> None:
        super().close()
        if self.datastore.engine is not None:
            self.datastore.engine.dispose()


WAL_SIZE_LIMIT = 64 * 1024 * 1024


def set_up_sqlite(engine: Engine) -> None:
    """Every connection to a SQLite store: durable, patient, in WAL mode, with real BEGINs."""
    sqlalchemy_event.listen(engine, "connect", _sqlite_durability)
    sqlalchemy_event.listen(engine, "begin", _sqlite_begin)
    if ":memory:" not in str(engine.url):
        # WAL on connect, before any BEGIN: it cannot be switched inside a transaction.
        sqlalchemy_event.listen(engine, "connect", _sqlite_wal)


def _sqlite_durability(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's pysqlite recipe: the driver emits no BEGIN of its own, so SQLAlchemy's BEGIN
    # and ROLLBACK are real. A read is then a transaction that ends, and a connection back in
    # the pool never keeps an unfinished SELECT's snapshot (which froze its view before).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")  # a 2xx means the command is on disk
    cursor.execute("PRAGMA busy_timeout=30000")
    # A long write (a replay, a bulk load) grows the WAL; once checkpointed, it shrinks back to
    # this size instead of holding the peak on disk while the server runs.
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cursor.close()


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL").close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN, or BEGIN IMMEDIATE where a writer asks for the write lock up front."""
    connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get(SQLITE_BEGIN, '')}")


class EventStore(Application):
    """The log of every event, and the repository that rebuilds aggregates from it."""

    name = "Samverkan"
    _unpooled: Engine | None = None
    snapshotting_intervals: ClassVar[dict[type, int]] = {
        Issue: SNAPSHOT_INTERVAL,
        TaskForce: SNAPSHOT_INTERVAL,
        Decision: SNAPSHOT_INTERVAL,
        Outcome: SNAPSHOT_INTERVAL,
    }

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's `save`, collecting events from our aggregates without its runtime
        Protocol check: `isinstance(aggregate, DomainEventProtocol)` inspects every member of
        the protocol and fails, a tenth of a command's time in the profile."""
        if not all(isinstance(obj, CaseAggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> Mapper[Any]:
        """Personal fields are sealed (encrypted) before the hash chain sees them."""
        return sealing_mapper(
            super().construct_mapper(),
            self.datastore,
            str(self.env.get("SQLALCHEMY_URL")),
            self.env.get("KEYS_VAR_DIR"),
        )

    @classmethod
    def open(
        cls, url: str, chain_key: bytes, pool_size: int = 10, var_dir: Path | None = None
    ) -> EventStore:
        return cls(
            env={
                "PERSISTENCE_MODULE": "infrastructure.store.event_store:StoreFactory",
                "SQLALCHEMY_URL": url,
                "CHAIN_KEY": chain_key.decode(),
                "POOL_SIZE": str(pool_size),
                "AGGREGATE_CACHE_MAXSIZE": "5000",
                "KEYS_VAR_DIR": "" if var_dir is None else str(var_dir),
            }
        )

    @property
    def datastore(self) -> SQLAlchemyDatastore:
        return self.factory.datastore  # type: ignore[attr-defined,no-any-return]

    def transaction(self) -> Any:
        """One database transaction; events saved and rows written inside it commit together."""
        return self.recorder.transaction()  # type: ignore[attr-defined]

    def unpooled_engine(self) -> Engine:
        """The store through connections opened for one use and closed: verify reads on one
        of its own, which nothing left behind on a pooled connection can have frozen."""
        if self._unpooled is None:
            assert self.datastore.engine is not None
            self._unpooled = create_engine(self.datastore.engine.url, poolclass=NullPool)
            if self._unpooled.dialect.name == "sqlite":
                set_up_sqlite(self._unpooled)
        return self._unpooled

    def close(self) -> None:
        if self._unpooled is not None:
            self._unpooled.dispose()
        if isinstance(self.mapper, SealingMapper):  # its key store has connections of its own
            self.mapper.keys.close()
        super().close()

    def reading(self) -> Any:
        """A read-only transaction: it never queues behind SQLite's writer, nor commits."""
        return self.recorder.transaction(commit=False)  # type: ignore[attr-defined]

    def lock_for_writing(self, session: Session) -> None:
        """The log's write lock in `session`'s transaction (see `ChainedRecorder`)."""
        recorder = self.recorder
        assert isinstance(recorder, ChainedRecorder)
        recorder.lock_for_writing(session)
