"""Indexed text search (`q`) over the issue view's `search_text`: a case-insensitive substring.

`search_text` is lower-cased by the projection and the query by `matching`, so a substring of
the one in the other is the whole rule, and both indexes below find exactly that.

- SQLite: `issue_search`, an external-content FTS5 table with the trigram tokenizer whose rowid
  is the view's `position`. Triggers on `issue_view` keep it in step with every write to the
  view (projections, gallring's rebuild of a record's rows); bulk rebuilds, which replace the
  table, fill it again with FTS5's own `rebuild` (`install(rebuild=True)`).
- PostgreSQL: pg_trgm's GIN index on `search_text`, which `LIKE '%…%'` uses as it is. Without
  the right to create the extension the search stays a scan, with one warning at start-up.

A text of fewer than three characters holds no trigram: it is searched with a LIKE over the
issues the caller's filters select, as every text was before.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import Connection, Select, Table, column, literal_column, table
from sqlalchemy.exc import DBAPIError

from infrastructure.views.read_models import VIEWS

MIN_INDEXED = 3  # a trigram
FTS = "issue_search"
PG_INDEX = "ix_issue_view_search_text_trgm"
logger = structlog.get_logger("samverkan.store")

_index = table(FTS, column("rowid"))  # the FTS5 table, as queries name it
_TRIGGERS = {
    f"{FTS}_insert": f"""AFTER INSERT ON {{view}} BEGIN
        INSERT INTO {FTS}(rowid, search_text) VALUES (new.position, new.search_text);
    END""",
    f"{FTS}_delete": f"""AFTER DELETE ON {{view}} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, search_text)
        VALUES ('delete', old.position, old.search_text);
    END""",
    # Most commands leave the text alone: then the index is not touched.
    f"{FTS}_update": f"""AFTER UPDATE OF position, search_text ON {{view}}
    WHEN old.search_text IS NOT new.search_text OR old.position IS NOT new.position BEGIN
        INSERT INTO {FTS}({FTS}, rowid, search_text)
        VALUES ('delete', old.position, old.search_text);
        INSERT INTO {FTS}(rowid, search_text) VALUES (new.position, new.search_text);
    END""",
}


def narrowed(
    query: Select[Any], view: Table, needle: str, dialect: str, before: int | None = None
) -> Select[Any]:
    """`query` of the view (newest first, before the cursor's position `before`), narrowed to
    the rows whose search text holds `needle`, ignoring case.

    Through the index, the matches come newest first straight from FTS5 (its rowid is the
    view's position), so a page reads only as many as it shows, however many issues match.
    """
    needle = needle.lower()
    if dialect == "sqlite" and view is VIEWS["issue"] and len(needle) >= MIN_INDEXED:
        phrase = '"' + needle.replace('"', '""') + '"'  # a quoted FTS5 phrase: no operators
        rowid = _index.c.rowid
        query = query.join(_index, rowid == view.c.position).where(
            literal_column(FTS).op("MATCH")(phrase)
        )
        if before is not None:  # the cursor, where FTS5 can skip to it
            query = query.where(rowid < before)
        return query.order_by(None).order_by(rowid.desc())
    return query.where(holds(view.c.search_text, needle))


def holds(column: Any, needle: str) -> Any:
    """`column LIKE '%needle%'`, with LIKE's own wildcards in `needle` taken as they are."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def install(connection: Connection, rebuild: bool = False) -> None:
    """Create the index where it is missing, and fill it when it may not match the view."""
    if connection.dialect.name == "sqlite":
        _install_fts5(connection, rebuild)
    elif connection.dialect.name == "postgresql":
        _install_trigram_index(connection)


def purge(connection: Connection) -> None:
    """Merge the index into one segment, so a deleted row's trigrams leave the file.

    FTS5 records a deletion as a marker beside the old entries until segments merge, and
    SQLite 3.40 has no secure-delete option for FTS5; `optimize` merges every segment now.
    """
    if connection.dialect.name == "sqlite" and _exists(connection, FTS):
        connection.exec_driver_sql(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")


def _install_fts5(connection: Connection, rebuild: bool) -> None:
    view = VIEWS["issue"].name
    if not _exists(connection, FTS):
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='{view}',"
            " content_rowid='position', tokenize='trigram case_sensitive 1')"
        )
        rebuild = True
    for name, body in _TRIGGERS.items():
        if not _exists(connection, name):  # dropped with the view it watched
            connection.exec_driver_sql(f"CREATE TRIGGER {name} {body.format(view=view)}")
            rebuild = True
    if rebuild:
        connection.exec_driver_sql(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def _exists(connection: Connection, name: str) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)
    ).first()
    return found is not None


def _install_trigram_index(connection: Connection) -> None:
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        logger.warning(
            "text search without an index: pg_trgm cannot be created, so q scans the issues",
            error=str(error.orig).strip(),
        )
        return
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {VIEWS['issue'].name}"
        " USING gin (search_text gin_trgm_ops)"
    )
