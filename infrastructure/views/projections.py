"""Projections: from events and aggregates to read-model rows.

The same code serves the live path (inline, in the command's own transaction, so a 2xx is
already visible and each event is applied exactly once) and replay (over the whole log).
Record views are written from the aggregate's state after its events; logs such as dialogue
notes, progress reports, the timeline and the event index are written one row per event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from domain.base import CaseAggregate
from domain.decision import Decision
from domain.dialogue_plan import DialoguePlan
from domain.gallring import Gallring
from domain.incident import IntegrityIncident
from domain.issue import Issue
from domain.local_plan import LocalPlan
from domain.locality import Locality, locality_id
from domain.outcome import Outcome
from domain.registration import RegistrationNumber
from domain.retention import RetentionPlan
from domain.staff import StaffMember
from domain.task_force import TaskForce
from domain.unit import Unit
from infrastructure.store.group_commit import Deferred, deferred_writes
from infrastructure.views.read_models import VIEWS

RECORD_TYPES: dict[type[CaseAggregate], str] = {
    Issue: "issue",
    TaskForce: "task_force",
    Decision: "decision",
    Outcome: "outcome",
    StaffMember: "staff_member",
    DialoguePlan: "dialogue_plan",
    Gallring: "gallring",
    RetentionPlan: "retention",
    Locality: "locality",
    LocalPlan: "local_plan",
    Unit: "unit",
    IntegrityIncident: "integrity_incident",
}

TIMELINE_KINDS = {
    "Issue.Opened": "issue_opened",
    "Issue.Edited": "issue_edited",
    "Issue.SubIssueSplitOff": "issue_split",
    "Issue.ResponsibilityAssigned": "responsibility_assigned",
    "Issue.Resolved": "issue_resolved",
    "Issue.Closed": "issue_closed",
    "Issue.Reopened": "issue_reopened",
    "Issue.Replicated": "issue_replicated",
    "Issue.NoteAdded": "dialogue_noted",
    "TaskForce.Formed": "task_force_formed",
    "TaskForce.MemberAdded": "member_added",
    "TaskForce.MemberRemoved": "member_removed",
    "TaskForce.LeadHandedOver": "lead_handed_over",
    "TaskForce.MandateExtended": "mandate_extended",
    "TaskForce.ProgressReported": "progress_reported",
    "TaskForce.Completed": "task_force_completed",
    "TaskForce.Disbanded": "task_force_disbanded",
    "Decision.Proposed": "decision_proposed",
    "Decision.Adopted": "decision_adopted",
    "Decision.Rejected": "decision_rejected",
    "Decision.Revoked": "decision_revoked",
    "Decision.Superseded": "decision_superseded",
    "Outcome.Recorded": "outcome_recorded",
    "Outcome.Verified": "outcome_verified",
    "Outcome.Corrected": "outcome_corrected",
    "Outcome.Retracted": "outcome_retracted",
    # Corrections, dated on the corrected date where they name one (see `business_date`)
    "Issue.NoteCorrected": "note_corrected",
    "Issue.NoteWithdrawn": "note_withdrawn",
    "Decision.Corrected": "decision_corrected",
    # A locality's services: on the timeline of every issue in that locality (see timeline.py)
    "Locality.ServiceRecorded": "service_opened",
    "Locality.ServiceClosed": "service_closed",
}
SERVICE_KINDS = ("service_opened", "service_closed")
TITLE_LENGTH = 400  # timeline_view.title


def event_type(event: Any) -> str:
    return str(type(event).__qualname__)


def issue_of(aggregate: CaseAggregate) -> UUID | None:
    """The issue a record belongs to; staff and dialogue plans belong to none."""
    if isinstance(aggregate, Issue):
        return aggregate.id
    return getattr(aggregate, "issue_id", None)


def title_of(aggregate: CaseAggregate) -> str:
    if isinstance(aggregate, TaskForce):
        return aggregate.name
    if isinstance(aggregate, Outcome):
        return aggregate.summary[:400]
    return aggregate.title  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=4096)
def _locality_key(municipality: str, locality: str) -> str:
    """An issue's locality id as its row holds it: a name-based UUID, and issues name few
    localities, so each is made once."""
    return str(locality_id(municipality, locality))


def _common(aggregate: CaseAggregate) -> dict[str, Any]:
    return {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "municipality": aggregate.municipality,
        "status": str(aggregate.status),  # type: ignore[attr-defined]
        "created_at": aggregate.created_on,
        "updated_at": aggregate.modified_on,
    }


def record_row(aggregate: CaseAggregate) -> dict[str, Any]:
    """The record view's row: also used to show a record as it was at an earlier version."""
    row = _common(aggregate)
    if isinstance(aggregate, Issue):
        responsibility = aggregate.responsibility
        row.update(
            locality=aggregate.locality,
            locality_id=_locality_key(aggregate.municipality, aggregate.locality),
            title=aggregate.title,
            description=aggregate.description,
            category=str(aggregate.category),
            raised_by=aggregate.raised_by,
            responsibility=responsibility,
            responsible_user=(responsibility or {}).get("user_id"),
            parent_id=_str(aggregate.parent_id),
            child_ids=[str(c) for c in aggregate.child_ids],
            modelled_on=getattr(aggregate, "modelled_on", None),
            replicas=getattr(aggregate, "replicas", []),
            search_text=" ".join(
                (
                    aggregate.title,
                    aggregate.description,
                    aggregate.locality,
                    *registration_words(aggregate.registration_number),
                )
            ).lower(),
            **registration_columns(aggregate.registration_number),
        )
    elif isinstance(aggregate, TaskForce):
        row.update(
            issue_id=str(aggregate.issue_id),
            name=aggregate.name,
            mandate=aggregate.mandate,
            due_on=aggregate.due_on,
            lead=aggregate.lead,
            lead_user=aggregate.lead_user,
            members=[{"member_id": k, **v} for k, v in aggregate.members.items()],
        )
    elif isinstance(aggregate, Decision):
        row.update(
            issue_id=str(aggregate.issue_id),
            task_force_id=_str(aggregate.task_force_id),
            title=aggregate.title,
            rationale=aggregate.rationale,
            decision_body=aggregate.decision_body,
            reference=aggregate.reference,
            decided_on=aggregate.decided_on,
            superseded_by=_str(aggregate.superseded_by),
            service_impact=aggregate.service_impact,
        )
    elif isinstance(aggregate, Outcome):
        row.update(
            issue_id=str(aggregate.issue_id),
            decision_ids=[str(d) for d in aggregate.decision_ids],
            summary=aggregate.summary,
            indicators=[_plain(i) for i in aggregate.indicators],
            observed_on=aggregate.observed_on,
            recorded_by=aggregate.recorded_by,
            last_corrected_by=aggregate.last_corrected_by,
        )
    elif isinstance(aggregate, StaffMember):
        leave = aggregate.leave or (None, None)
        row.update(
            user_id=aggregate.user_id,
            handed_over_to=aggregate.handed_over_to,
            leave_starts_on=leave[0],
            leave_ends_on=leave[1],
        )
    elif isinstance(aggregate, Gallring):
        row.update(
            decision_reference=aggregate.decision_reference,
            reason=aggregate.reason,
            subject_ids=aggregate.subject_ids,
            record_ids=aggregate.record_ids,
        )
    elif isinstance(aggregate, RetentionPlan):
        row.update(rules=dict(aggregate.rules))
    elif isinstance(aggregate, DialoguePlan):
        row.update(
            locality=aggregate.locality,
            every_months=aggregate.every_months,
            partner=aggregate.partner,
            starts_on=aggregate.starts_on,
        )
    elif isinstance(aggregate, Locality):
        row.update(locality_columns(aggregate))
    elif isinstance(aggregate, Unit):
        row.update(
            name=aggregate.name,
            categories=aggregate.categories,
            contacts=[{"contact_id": k, **v} for k, v in aggregate.contacts.items()],
        )
    elif isinstance(aggregate, LocalPlan):
        row.update(
            locality=aggregate.locality,
            year=aggregate.year,
            title=aggregate.title,
            goals=aggregate.goals,
        )
    elif isinstance(aggregate, IntegrityIncident):
        row.update(broken_position=aggregate.broken_position, reason=aggregate.reason)
    return row


def locality_columns(locality: Locality) -> dict[str, Any]:
    """A locality's view columns: its services in recording order, dates as ISO text (JSON)."""
    return {
        "name": locality.name,
        "kind": locality.kind,
        "population": locality.population,
        "latitude": locality.latitude,
        "longitude": locality.longitude,
        "services": [
            {
                "service_id": service_id,
                **{k: v.isoformat() if isinstance(v, date) else v for k, v in service.items()},
            }
            for service_id, service in locality.services.items()
        ],
        "search_text": locality.name.casefold(),
    }


def note_row(event: Issue.NoteAdded, position: int, issue_id: str) -> dict[str, Any]:
    return {
        "position": position,
        "issue_id": issue_id,
        "version": event.originator_version,
        "kind": event.kind,
        "text": event.text,
        "occurred_on": event.occurred_on,
        "public": event.public,
        "lagrum": getattr(event, "lagrum", None),
        "recorded_by": event.actor["user_id"],
        "recorded_at": event.timestamp,
        "note_id": str(event.note_id or legacy_note_id(issue_id, event.originator_version)),
    }


def progress_row(
    event: TaskForce.ProgressReported, position: int, task_force_id: str
) -> dict[str, Any]:
    return {
        "position": position,
        "task_force_id": task_force_id,
        "version": event.originator_version,
        "text": event.text,
        "recorded_by": event.actor["user_id"],
        "recorded_at": event.timestamp,
    }


class RecordHeader:
    """What every log row of a record's events says about it, each string made once: a record
    never changes its id, type, municipality or issue."""

    __slots__ = ("id", "issue_id", "municipality", "type")

    def __init__(self, aggregate: CaseAggregate) -> None:
        self.id = str(aggregate.id)
        self.type = RECORD_TYPES[type(aggregate)]
        self.municipality = aggregate.municipality
        issue = issue_of(aggregate)
        self.issue_id = None if issue is None else self.id if issue == aggregate.id else str(issue)


def log_row(event: Any, position: int, record: RecordHeader) -> dict[str, Any]:
    actor = event.actor
    return {
        "position": position,
        "record_id": record.id,
        "record_type": record.type,
        "version": event.originator_version,
        "type": event_type(event),
        "municipality": record.municipality,
        "issue_id": record.issue_id or "",  # "" for records outside any issue
        "actor_user": actor["user_id"],
        "actor_role": actor["role"],
        "occurred_at": event.timestamp,
    }


def timeline_row(
    event: Any, position: int, aggregate: CaseAggregate, record: RecordHeader
) -> dict[str, Any]:
    subject = None
    if isinstance(event, _MEMBER_EVENTS):
        subject = event.member_id
    elif isinstance(event, TaskForce.LeadHandedOver):
        subject = event.to_member_id
    elif isinstance(event, _SERVICE_EVENTS):
        subject = event.service_id
    actor = event.actor
    return {
        "entry_key": str(position),
        "date": business_date(event),
        "kind": TIMELINE_KINDS[event_type(event)],
        "municipality": record.municipality,
        # "" for a service: the timeline query puts it on each issue of its locality
        "issue_id": record.issue_id or "",
        "record_type": record.type,
        "record_id": record.id,
        "title": (
            service_title(event, aggregate)
            if isinstance(event, _SERVICE_EVENTS)
            else title_of(aggregate)
        ),
        "actor_role": actor["role"],
        "actor_user": actor["user_id"],
        "subject": subject,
        # a confidential note is never shown to evaluators, whatever `public` says
        "public": getattr(event, "public", True) and not getattr(event, "lagrum", None),
        "position": position,
    }


_MEMBER_EVENTS = (TaskForce.MemberAdded, TaskForce.MemberRemoved)
_SERVICE_EVENTS = (Locality.ServiceRecorded, Locality.ServiceClosed)


def service_title(event: Any, locality: CaseAggregate) -> str:
    """What a service entry says: the service (and its operator) when it opened; the service
    and why when it closed. Who and when are the entry's actor and date."""
    assert isinstance(locality, Locality)
    service = locality.services[event.service_id]
    if isinstance(event, Locality.ServiceClosed):
        title = f"{service['name']}: {event.reason}"
    elif service["operator"]:
        title = f"{service['name']} ({service['operator']})"
    else:
        title = service["name"]
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return str(title)


FOLLOW_UP_EVENTS = (Issue.FollowUpSet, Issue.FollowUpCleared)


def follow_up_row(issue: Issue) -> dict[str, Any]:
    """An issue's follow-up (bevakning), as the follow-up list reads it."""
    follow_up = issue.follow_up or {}
    return {
        "issue_id": str(issue.id),
        "municipality": issue.municipality,
        "due_on": follow_up["due_on"],
        "note": follow_up["note"],
        "set_by": follow_up["set_by"],
        "set_at": follow_up["set_at"],
    }


def due_row(task_force: TaskForce, position: int) -> dict[str, Any]:
    """The deadline entry: one per task force, always dated on its current due date."""
    return {
        "entry_key": f"due:{task_force.id}",
        "date": task_force.due_on,
        "kind": "task_force_due",
        "municipality": task_force.municipality,
        "issue_id": str(task_force.issue_id),
        "record_type": "task_force",
        "record_id": str(task_force.id),
        "title": task_force.name,
        "actor_role": None,
        "actor_user": None,
        "subject": None,
        "public": True,
        "position": position,
    }


def record_rows(aggregate: CaseAggregate, position: int) -> dict[str, dict[str, Any]]:
    """The rows a record adds when first written, at `position`: as `write_record` inserts."""
    rows = {RECORD_TYPES[type(aggregate)]: {"position": position, **record_row(aggregate)}}
    if isinstance(aggregate, TaskForce):
        rows["timeline"] = due_row(aggregate, position)
    if isinstance(aggregate, Issue) and aggregate.follow_up is not None:
        rows["follow_up"] = follow_up_row(aggregate)
    return rows


def business_date(event: Any) -> date:
    for name in ("decided_on", "observed_on", "occurred_on", "closed_on"):
        value = getattr(event, name, None)
        if isinstance(value, date):
            return value
    if isinstance(event, Locality.ServiceRecorded) and event.opened_on is not None:
        return event.opened_on
    return event.timestamp.date()  # type: ignore[no-any-return]


def event_rows(
    event: Any, position: int, aggregate: CaseAggregate, record: RecordHeader | None = None
) -> dict[str, dict[str, Any]]:
    """The log rows one event adds, given its aggregate as it stands right after the event
    (and its header, where the caller keeps one per record)."""
    if record is None:
        record = RecordHeader(aggregate)
    rows = {"log": log_row(event, position, record)}
    # Staff records and dialogue plans are left out of the timeline by design: the contract's
    # kinds do not name them, and a handover shows there through each moved record's event.
    if event_type(event) in TIMELINE_KINDS:
        rows["timeline"] = timeline_row(event, position, aggregate, record)
    if isinstance(event, Issue.NoteAdded):
        rows["note"] = note_row(event, position, record.id)
    elif isinstance(event, TaskForce.ProgressReported):
        rows["progress"] = progress_row(event, position, record.id)
    elif isinstance(event, Issue.NoteCorrected | Issue.NoteWithdrawn):
        rows["note_change"] = note_change_row(event, position, record.id)
    subject = subject_row(event, position, record, aggregate)
    if subject is not None:
        rows["subject"] = subject
    return rows


# Registration numbers and note corrections


NOTE_NAMESPACE = UUID("5b0f3c7e-2d4a-5e61-9f8b-3c1d7a2e4b60")


def legacy_note_id(issue_id: str, version: int) -> UUID:
    """A stable id for a note recorded before notes carried one: its issue and version."""
    return uuid5(NOTE_NAMESPACE, f"{issue_id}:{version}")


def registration_columns(number: str | None) -> dict[str, Any]:
    parsed = None if number is None else RegistrationNumber.parse(number)
    return {
        "registration_number": number,
        "registration_year": None if parsed is None else parsed.year,
        "registration_serial": None if parsed is None else parsed.serial,
    }


def registration_words(number: str | None) -> tuple[str, ...]:
    """The number as searched: "2462-2026/0017", and "2026/0017" and "2026/17" as written."""
    if number is None:
        return ()
    parsed = RegistrationNumber.parse(number)
    return (number, f"{parsed.year}/{parsed.serial}")


def note_change_row(
    event: Issue.NoteCorrected | Issue.NoteWithdrawn, position: int, issue_id: str
) -> dict[str, Any]:
    corrected = isinstance(event, Issue.NoteCorrected)
    return {
        "position": position,
        "issue_id": issue_id,
        "note_id": str(event.note_id),
        "version": event.originator_version,
        "text": event.text if isinstance(event, Issue.NoteCorrected) else None,
        "occurred_on": event.occurred_on if isinstance(event, Issue.NoteCorrected) else None,
        "withdrawn": not corrected,
        "reason": event.reason,
        "recorded_by": event.actor["user_id"],
        "recorded_at": event.timestamp,
    }


def subject_row(
    event: Any, position: int, record: RecordHeader, aggregate: CaseAggregate
) -> dict[str, Any] | None:
    """The person an event names (a task force's lead or member, a unit's contact), with their
    subject id."""
    if isinstance(event, TaskForce.Formed):
        person = event.lead
    elif isinstance(event, TaskForce.MemberAdded):
        person = {**vars(event)}
    elif isinstance(event, Unit.ContactAdded) and isinstance(aggregate, Unit):
        person = {**vars(event), "member_id": event.contact_id, "organisation": aggregate.name}
    else:
        return None
    if not person.get("subject_id"):
        return None  # recorded before subjects existed
    return {
        "position": position,
        "subject_id": person["subject_id"],
        "record_id": record.id,
        "record_type": record.type,
        "municipality": record.municipality,
        "member_id": person["member_id"],
        "display_name": person["display_name"],
        "organisation": person["organisation"],
    }


class Projector:
    """Writes read-model rows into one set of view tables (the live set, or a fresh one)."""

    def __init__(self, views: Mapping[str, Table] = VIEWS) -> None:
        self.views = views

    def project(
        self,
        session: Session,
        events: Iterable[tuple[Any, int]],
        aggregates: Mapping[UUID, CaseAggregate],
        created: Mapping[UUID, int],
    ) -> int:
        """Apply `(event, position)` pairs, then write the record rows of `aggregates`.

        `created` maps each aggregate created in this batch to its first position.
        Returns the last position projected.
        """
        events = list(events)
        batch = [event_rows(e, p, aggregates[e.originator_id]) for e, p in events]
        self.write_event_rows(session, batch)
        for aggregate in aggregates.values():
            self.write_record(session, aggregate, created.get(aggregate.id))
        for event, _ in events:
            if isinstance(event, FOLLOW_UP_EVENTS):
                self.write_follow_up(session, aggregates[event.originator_id])
        last = max((rows["log"]["position"] for rows in batch), default=0)
        if batch:
            self.track(session, last)
        return last

    def write_event_rows(self, session: Session, batch: list[dict[str, dict[str, Any]]]) -> None:
        pending = PendingRows(self.views)
        deferred = deferred_writes(session)
        if deferred is not None:  # a group commit inserts them once, just before its COMMIT:
            # commands never read these append-only logs, only the record views
            key = f"rows:{self.views['log'].name}"
            pending = deferred.setdefault(key, pending)  # type: ignore[assignment]
        for rows in batch:
            pending.add(rows)
        if deferred is None:
            pending.write(session)

    def write_record(
        self, session: Session, aggregate: CaseAggregate, position: int | None
    ) -> None:
        """The record's row from its state now: inserted at `position` when first written,
        else updated. In a group commit the batch writes each record's newest row once, just
        before its COMMIT (`PendingRecords`)."""
        name = RECORD_TYPES[type(aggregate)]
        row = record_row(aggregate)
        deferred = deferred_writes(session)
        if deferred is not None:
            key = f"records:{self.views['log'].name}"
            pending = deferred.setdefault(key, PendingRecords(self.views))
            assert isinstance(pending, PendingRecords)
            first = pending.put(name, row, position)
        else:
            _write_row(session, self.views[name], row, position)
            first = position
        if isinstance(aggregate, TaskForce):
            timeline = self.views["timeline"]
            key = f"due:{aggregate.id}"
            session.execute(delete(timeline).where(timeline.c.entry_key == key))
            if first is None:
                first = _first_position(session, self.views[name], aggregate)
            session.execute(insert(timeline).values(due_row(aggregate, first)))

    def write_follow_up(self, session: Session, issue: CaseAggregate) -> None:
        """The issue's one follow-up row: replaced when set, removed when cleared."""
        assert isinstance(issue, Issue)
        table = self.views["follow_up"]
        session.execute(delete(table).where(table.c.issue_id == str(issue.id)))
        if issue.follow_up is not None:
            session.execute(insert(table).values(follow_up_row(issue)))

    def track(self, session: Session, position: int) -> None:
        tracking = TrackedPosition(self.views["tracking"], position)
        deferred = deferred_writes(session)
        if deferred is None:
            tracking.write(session)
        else:  # a group commit moves the tracking row once, just before its COMMIT
            deferred[f"tracking:{tracking.table.name}"] = tracking


class PendingRows(Deferred):
    """Log rows (event index, timeline, notes, progress) to insert, one statement a table."""

    def __init__(self, views: Mapping[str, Table]) -> None:
        self.views = views
        self.by_table: dict[str, list[dict[str, Any]]] = {}

    def add(self, rows: Mapping[str, dict[str, Any]]) -> None:
        for name, row in rows.items():
            self.by_table.setdefault(name, []).append(row)

    def write(self, session: Session) -> None:
        for name, table_rows in self.by_table.items():
            session.execute(_insert_of(self.views[name]), table_rows)


class PendingRecords(Deferred):
    """Record rows a batch writes together, just before its COMMIT: each record's newest row.

    A record first written in this batch is inserted, one written before is updated; a later
    member that changes the same record replaces its row here. Commands read record views only
    through the unit of work, which writes what is pending first (`write_pending_records`).
    """

    def __init__(self, views: Mapping[str, Table]) -> None:
        self.views = views
        self.inserts: dict[str, dict[str, dict[str, Any]]] = {}
        self.updates: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, name: str, row: dict[str, Any], position: int | None) -> int | None:
        """Keep `row` as the record's newest; returns its first position when known here."""
        inserts = self.inserts.setdefault(name, {})
        inserted = inserts.get(row["id"])
        if position is None and inserted is not None:
            position = inserted["position"]
        if position is not None:
            inserts[row["id"]] = {"position": position, **row}
        else:
            self.updates.setdefault(name, {})[row["id"]] = {"_id": row["id"], **row}
        return position

    def write(self, session: Session) -> None:
        for name, rows in self.inserts.items():
            if rows:
                session.execute(_insert_of(self.views[name]), list(rows.values()))
        for name, rows in self.updates.items():
            if rows:
                session.execute(_update_by_id(self.views[name]), list(rows.values()))
        self.inserts.clear()
        self.updates.clear()


def write_pending_records(session: Session) -> None:
    """Before a read of a record view inside a batch: write the rows its members left pending."""
    for deferred in (deferred_writes(session) or {}).values():
        if isinstance(deferred, PendingRecords):
            deferred.write(session)


def _write_row(session: Session, table: Table, row: dict[str, Any], position: int | None) -> None:
    # Statements built once per table and bound with parameters: building and compiling a
    # fresh `.values(**row)` statement per command was most of this method's time.
    if position is not None:
        session.execute(_insert_of(table), {"position": position, **row})
    else:
        session.execute(_update_by_id(table), {"_id": row["id"], **row})


class TrackedPosition(Deferred):
    """The last position the views hold."""

    def __init__(self, table: Table, position: int) -> None:
        self.table, self.position = table, position

    def write(self, session: Session) -> None:
        session.execute(_track_views(self.table), {"position": self.position})


@cache
def _insert_of(table: Table) -> Any:
    return insert(table)


@cache
def _update_by_id(table: Table) -> Any:
    return update(table).where(table.c.id == bindparam("_id"))


@cache
def _track_views(tracking: Table) -> Any:
    return update(tracking).where(tracking.c.name == "views")


def _first_position(session: Session, table: Table, aggregate: CaseAggregate) -> int:
    return int(
        session.execute(
            table.select()
            .with_only_columns(table.c.position)
            .where(table.c.id == str(aggregate.id))
        ).scalar_one()
    )


def _str(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _plain(indicator: Mapping[str, Any]) -> dict[str, Any]:
    """Indicators as JSON: decimals as strings, so no precision is lost."""
    return {
        k: (None if v is None else str(v)) if k in ("value", "baseline", "target") else v
        for k, v in indicator.items()
    }
