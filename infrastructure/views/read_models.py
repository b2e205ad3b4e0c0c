"""Read-model tables (`*_view`), fed only by the projections and rebuilt from the log.

Lists page by `position` (the global log position of the record's first event): it is unique,
it orders records by creation, and it makes a compact keyset cursor.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.schema import CreateIndex, CreateTable

Position = BigInteger().with_variant(Integer, "sqlite")


class Instant(TypeDecorator[datetime]):
    """A UTC instant that comes back timezone-aware from SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def define_views(metadata: MetaData, suffix: str = "") -> dict[str, Table]:
    """Every read-model table. `suffix` builds a parallel set, as replay does into fresh tables."""

    def table(name: str, *columns: Column, indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
        full = f"{name}{suffix}"
        t = Table(full, metadata, *columns)
        for i, cols in enumerate(indexes):
            Index(f"ix_{full}_{i}", *(t.c[c] for c in cols))
        return t

    def record_columns() -> list[Column]:
        return [
            Column("id", String(36), primary_key=True),
            Column("position", Position, nullable=False, unique=True),
            Column("version", Integer, nullable=False),
            Column("municipality", String(4), nullable=False),
            Column("status", String(20), nullable=False),
            Column("created_at", Instant(), nullable=False),
            Column("updated_at", Instant(), nullable=False),
        ]

    views = {
        "issue": table(
            "issue_view",
            *record_columns(),
            Column("locality", String(200), nullable=False),
            Column("locality_id", String(36), nullable=False),  # the register's id for the name
            Column("title", String(200), nullable=False),
            Column("description", Text, nullable=False),
            Column("category", String(30), nullable=False),
            Column("raised_by", JSON, nullable=False),
            Column("responsibility", JSON),
            Column("responsible_user", String(200)),
            Column("parent_id", String(36)),
            Column("child_ids", JSON, nullable=False),
            Column("modelled_on", JSON(none_as_null=True)),  # a replica's model issue
            Column("replicas", JSON, nullable=False),  # [{issue_id, locality}]
            Column("search_text", Text, nullable=False),
            Column("registration_number", String(20)),  # diarienummer, e.g. "2462-2026/0017"
            Column("registration_year", Integer),
            Column("registration_serial", Integer),
            indexes=(
                ("municipality", "position"),
                ("municipality", "status", "position"),
                ("municipality", "category", "position"),
                ("municipality", "locality", "position"),
                ("locality_id",),
                ("responsible_user",),
                ("parent_id",),
            ),
        ),
        "note": table(
            "issue_note_view",
            Column("position", Position, primary_key=True),
            Column("issue_id", String(36), nullable=False),
            Column("version", Integer, nullable=False),
            Column("kind", String(20), nullable=False),
            Column("text", Text, nullable=False),
            Column("occurred_on", Date, nullable=False),
            Column("public", Boolean, nullable=False),
            Column("lagrum", String(200)),  # sekretess: the text is secret under this provision
            Column("recorded_by", String(200), nullable=False),
            Column("recorded_at", Instant(), nullable=False),
            Column("note_id", String(36), nullable=False),
            indexes=(("issue_id", "position"), ("note_id",)),
        ),
        "task_force": table(
            "task_force_view",
            *record_columns(),
            Column("issue_id", String(36), nullable=False),
            Column("name", String(200), nullable=False),
            Column("mandate", Text, nullable=False),
            Column("due_on", Date, nullable=False),
            Column("lead", String(36), nullable=False),
            Column("lead_user", String(200)),  # the lead member's user id, when tied to one
            Column("members", JSON, nullable=False),
            indexes=(
                ("municipality", "position"),
                ("municipality", "status", "due_on"),
                ("issue_id", "position"),
                ("municipality", "lead_user"),
            ),
        ),
        "progress": table(
            "task_force_progress_view",
            Column("position", Position, primary_key=True),
            Column("task_force_id", String(36), nullable=False),
            Column("version", Integer, nullable=False),
            Column("text", Text, nullable=False),
            Column("recorded_by", String(200), nullable=False),
            Column("recorded_at", Instant(), nullable=False),
            indexes=(("task_force_id", "position"),),
        ),
        "decision": table(
            "decision_view",
            *record_columns(),
            Column("issue_id", String(36), nullable=False),
            Column("task_force_id", String(36)),
            Column("title", String(200), nullable=False),
            Column("rationale", Text, nullable=False),
            Column("decision_body", String(200), nullable=False),
            Column("reference", String(200)),
            Column("decided_on", Date),
            Column("superseded_by", String(36)),
            Column(
                "service_impact", JSON(none_as_null=True)
            ),  # null: not assessed (Vetlanda's rule)
            indexes=(("municipality", "position"), ("issue_id", "position")),
        ),
        "outcome": table(
            "outcome_view",
            *record_columns(),
            Column("issue_id", String(36), nullable=False),
            Column("decision_ids", JSON, nullable=False),
            Column("summary", Text, nullable=False),
            Column("indicators", JSON, nullable=False),
            Column("observed_on", Date, nullable=False),
            Column("recorded_by", String(200), nullable=False),
            Column("last_corrected_by", String(200)),
            indexes=(("municipality", "position"), ("issue_id", "position")),
        ),
        "log": table(
            "event_log_view",
            Column("position", Position, primary_key=True),
            Column("record_id", String(36), nullable=False),
            Column("record_type", String(20), nullable=False),
            Column("version", Integer, nullable=False),
            Column("type", String(40), nullable=False),
            Column("municipality", String(4), nullable=False),
            Column("issue_id", String(36), nullable=False),
            Column("actor_user", String(200), nullable=False),
            Column("actor_role", String(20), nullable=False),
            Column("occurred_at", Instant(), nullable=False),
            indexes=(
                ("municipality", "position"),
                ("record_id", "version"),
                ("issue_id", "position"),
                ("actor_user",),
            ),
        ),
        "timeline": table(
            "timeline_view",
            Column("entry_key", String(48), primary_key=True),
            Column("date", Date, nullable=False),
            Column("kind", String(30), nullable=False),
            Column("municipality", String(4), nullable=False),
            Column("issue_id", String(36), nullable=False),
            Column("record_type", String(20), nullable=False),
            Column("record_id", String(36), nullable=False),
            Column("title", String(400), nullable=False),
            Column("actor_role", String(20)),
            Column("actor_user", String(200)),
            Column("subject", String(200)),  # a member's display name, when the entry names one
            Column("public", Boolean, nullable=False),
            Column("position", Position, nullable=False),
            indexes=(
                ("municipality", "date", "entry_key"),
                ("issue_id", "date"),
                ("date", "entry_key"),
            ),
        ),
        "staff_member": table(
            "staff_member_view",
            *record_columns(),
            Column("user_id", String(200), nullable=False),
            Column("handed_over_to", String(200)),  # null until a handover: a leave came first
            Column("leave_starts_on", Date),
            Column("leave_ends_on", Date),
            indexes=(("municipality", "user_id"), ("municipality", "status", "position")),
        ),
        "dialogue_plan": table(
            "dialogue_plan_view",
            *record_columns(),
            Column("locality", String(200), nullable=False),
            Column("every_months", Integer, nullable=False),
            Column("partner", String(200), nullable=False),
            Column("starts_on", Date, nullable=False),
            indexes=(("municipality", "locality"),),
        ),
        "gallring": table(
            "gallring_view",
            *record_columns(),
            Column("decision_reference", String(200), nullable=False),
            Column("reason", Text, nullable=False),
            Column("subject_ids", JSON, nullable=False),
            Column("record_ids", JSON, nullable=False),
            indexes=(("municipality", "position"),),
        ),
        "retention": table(
            "retention_view",
            *record_columns(),
            Column("rules", JSON, nullable=False),  # category -> years kept, null for ever
            indexes=(("municipality",),),
        ),
        # Persons recorded on a record (data subjects), one row per event that names one.
        "subject": table(
            "subject_view",
            Column("position", Position, primary_key=True),
            Column("subject_id", String(36), nullable=False),
            Column("record_id", String(36), nullable=False),
            Column("record_type", String(20), nullable=False),
            Column("municipality", String(4), nullable=False),
            Column("member_id", String(36), nullable=False),
            Column("display_name", String(200), nullable=False),
            Column("organisation", String(200), nullable=False),
            indexes=(
                ("municipality", "display_name", "organisation"),
                ("subject_id",),
                ("record_id",),
            ),
        ),
        "follow_up": table(
            "issue_follow_up_view",
            Column("issue_id", String(36), primary_key=True),
            Column("municipality", String(4), nullable=False),
            Column("due_on", Date, nullable=False),
            Column("note", Text, nullable=False),
            Column("set_by", String(200), nullable=False),
            Column("set_at", Instant(), nullable=False),
            indexes=(("municipality", "due_on"), ("due_on",)),
        ),
        "integrity_incident": table(
            "integrity_incident_view",
            *record_columns(),
            Column("broken_position", Position, nullable=False),
            Column("reason", Text, nullable=False),
        ),
        "tracking": table(
            "projection_tracking",
            Column("name", String(40), primary_key=True),
            Column("position", Position, nullable=False),
            Column("schema", String(64), nullable=False),
        ),
        "idempotency": table(
            "idempotency_record",
            Column("user_id", String(200), primary_key=True),
            Column("key", String(200), primary_key=True),
            Column("fingerprint", String(64), nullable=False),
            Column("record_id", String(36), nullable=False),
            Column("version", Integer, nullable=False),
            Column("position", Position, nullable=False),
            Column("member_id", String(36)),
        ),
    }
    views.update(_casework_views(table, views["issue"]))
    views["locality"] = table(
        "locality_view",
        *record_columns(),
        Column("name", String(200), nullable=False),
        Column("kind", String(10)),
        Column("population", Integer),
        Column("latitude", Float, nullable=False),
        Column("longitude", Float, nullable=False),
        Column("services", JSON, nullable=False),  # [{service_id, kind, name, ..., status}]
        Column("search_text", String(200), nullable=False),
        indexes=(("municipality", "position"), ("municipality", "latitude")),
    )
    views["local_plan"] = table(
        "local_plan_view",
        *record_columns(),
        Column("locality", String(200)),
        Column("year", Integer, nullable=False),
        Column("title", String(200), nullable=False),
        Column("goals", JSON, nullable=False),  # [{text, issue_ids}]
        indexes=(("municipality", "position"), ("municipality", "year")),
    )
    views["unit"] = table(
        "unit_view",
        *record_columns(),
        Column("name", String(200), nullable=False),
        Column("categories", JSON, nullable=False),
        Column("contacts", JSON, nullable=False),  # personal data: display_name, email, phone
        indexes=(("municipality", "position"),),
    )
    return views


def _casework_views(table: Any, issue: Table) -> dict[str, Table]:
    """Registration numbers on the issue view, unique per municipality and year; note changes.

    The unique index is what makes a second server process that took the same number fail
    and retry its command (the bus retries write conflicts), so numbers never repeat.
    """
    columns = issue.c
    Index(f"ix_{issue.name}_registration_number", columns.registration_number)
    Index(
        f"ux_{issue.name}_registration",
        columns.municipality,
        columns.registration_year,
        columns.registration_serial,
        unique=True,
    )
    return {
        "note_change": table(
            "issue_note_change_view",
            Column("position", Position, primary_key=True),
            Column("issue_id", String(36), nullable=False),
            Column("note_id", String(36), nullable=False),
            Column("version", Integer, nullable=False),
            Column("text", Text),  # None: the text stays as it was
            Column("occurred_on", Date),  # None: the date stays as it was
            Column("withdrawn", Boolean, nullable=False),
            Column("reason", Text, nullable=False),
            Column("recorded_by", String(200), nullable=False),
            Column("recorded_at", Instant(), nullable=False),
            indexes=(("issue_id", "version"), ("note_id",)),
        ),
    }


metadata = MetaData()
VIEWS = define_views(metadata)
REBUILT_FROM_LOG = (
    "issue",
    "note",
    "task_force",
    "progress",
    "decision",
    "outcome",
    "log",
    "timeline",
    "staff_member",
    "dialogue_plan",
    "subject",
    "gallring",
    "retention",
    "follow_up",
    "locality",
    "local_plan",
    "unit",
    "integrity_incident",
    "note_change",
)


def schema_fingerprint(dialect: object) -> str:
    """Changes whenever a view's definition changes, so that view is rebuilt from the log."""
    ddl = []
    for name in REBUILT_FROM_LOG:
        table = VIEWS[name]
        ddl.append(str(CreateTable(table).compile(dialect=dialect)))  # type: ignore[arg-type]
        ddl += [str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes]  # type: ignore[arg-type]
    return hashlib.sha256("\n".join(sorted(ddl)).encode()).hexdigest()
