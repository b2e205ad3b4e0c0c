"""Many rows into a table at once, through the driver, bound exactly as SQLAlchemy binds them.

SQLAlchemy's own executemany spends most of its time per row and per column. Here each table's
INSERT is compiled once, rows become tuples in one C call, and only the columns whose type
converts values (dates, instants and booleans on SQLite, JSON) go through their own processor,
one whole column at a time.

On PostgreSQL with psycopg, the rows go in with one COPY per table and batch instead: psycopg's
executemany still sends one INSERT per row. COPY writes the very values the INSERT would bind
(the same bind processors, then psycopg's own dumpers), so the tables come out the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Table, insert
from sqlalchemy.engine import Dialect


class BulkWriter:
    """Inserts many rows per table, one driver `executemany` per table and batch."""

    def __init__(self, connection: Connection, views: Mapping[str, Table]) -> None:
        self.connection = connection
        self.views = views
        self.inserts: dict[str, _TableInsert] = {}

    def write(self, rows: Mapping[str, list[dict[str, Any]]]) -> None:
        for name, table_rows in rows.items():
            if not table_rows:
                continue
            statement = self.inserts.get(name)
            if statement is None:
                statement = _TableInsert(self.views[name], self.connection.dialect)
                self.inserts[name] = statement
            if statement.copy_sql is not None:
                self._copy(statement.copy_sql, statement.tuples(table_rows))
            else:
                self.connection.exec_driver_sql(statement.sql, statement.parameters(table_rows))

    def _copy(self, copy_sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """COPY FROM STDIN on the connection's own psycopg connection, in its transaction."""
        driver = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)


class _TableInsert:
    """One table's INSERT of every column, compiled for the dialect, and its bind processors."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        compiled = insert(table).compile(dialect=dialect)
        names = [c.key for c in table.columns]
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        if self.positional:  # the statement's own parameter order
            names = [str(name) for name in compiled.positiontup or ()]
        self.names = names
        self.values = itemgetter(*names)
        self.copy_sql = _copy_sql(table, names, dialect)
        self.processors: list[tuple[int, Callable[[Sequence[Any]], list[Any]]]] = []
        for i, name in enumerate(names):
            type_ = table.c[name].type
            processor = type_.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors.append((i, _column_processor(type_, processor, dialect)))

    def tuples(self, rows: Iterable[dict[str, Any]]) -> list[Any]:
        """Each row's bound values, in `names` order."""
        bound = list(map(self.values, rows))
        if self.processors:  # column by column: one C-level map per processed column
            columns: list[Sequence[Any]] = list(zip(*bound, strict=True))
            for i, process in self.processors:
                columns[i] = process(columns[i])
            bound = list(zip(*columns, strict=True))
        return bound

    def parameters(self, rows: Iterable[dict[str, Any]]) -> list[Any]:
        bound = self.tuples(rows)
        if self.positional:
            return bound
        names = self.names
        return [dict(zip(names, values, strict=True)) for values in bound]


def _copy_sql(table: Table, names: Sequence[str], dialect: Dialect) -> str | None:
    """`COPY table (columns) FROM STDIN` where the driver is psycopg 3; None elsewhere."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[name].name) for name in names)
    return f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"


def _column_processor(
    type_: Any, processor: Callable[[Any], Any], dialect: Dialect
) -> Callable[[Sequence[Any]], list[Any]]:
    """`processor` over a whole column; for booleans and dates, once per distinct value.

    Equal booleans and equal dates always bind alike, and a log holds few distinct ones.
    """
    if isinstance(type_, Boolean | Date):

        def each_distinct(column: Sequence[Any]) -> list[Any]:
            bound = {value: processor(value) for value in set(column)}
            return list(map(bound.__getitem__, column))

        return each_distinct
    if dialect.name == "sqlite" and _is_sqlite_instant_text(processor):
        return lambda column: [
            _SQLITE_INSTANT % (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
            if v.__class__ is datetime
            else processor(v)
            for v in column
        ]
    return lambda column: list(map(processor, column))


_PROBES = (
    datetime(2025, 3, 4, 5, 6, 7, 89, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=1))),
    datetime(1, 1, 1),
)


_SQLITE_INSTANT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"


def _is_sqlite_instant_text(processor: Callable[[Any], Any]) -> bool:
    """Whether `processor` writes instants as SQLite's default DATETIME text, which a tuple
    %-format makes twice as fast as its dict one. Tried on probes: another format keeps its own."""
    try:
        return all(
            processor(p)
            == _SQLITE_INSTANT % (p.year, p.month, p.day, p.hour, p.minute, p.second, p.microsecond)
            for p in _PROBES
        )
    except (TypeError, ValueError):
        return False
