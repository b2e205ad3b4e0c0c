"""The timeline query: dated entries from `timeline_view`, streamed in keyset chunks.

Memory stays flat whatever the size of the export: each chunk is read in its own short read
transaction and handed on before the next one is fetched, so no connection is held while a
slow client downloads. Entries are ordered by `(date, position, entry_key, issue_id)`; the
keyset is that quadruple. An entry written while an export runs appears if it sorts after the
current chunk.

A service's opening and closing belong to a locality, not to an issue: they are stored once
(`issue_id` "") and shown on the timeline of every issue whose locality has the register's id
for that locality, so each such issue carries its own copy of the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from application.errors import NotFoundError
from application.policy import AccessPolicy, Query
from domain.values import Actor
from infrastructure.store.event_store import EventStore
from infrastructure.views.projections import SERVICE_KINDS
from infrastructure.views.read_models import VIEWS

ENTRY_FIELDS = (
    "date",
    "kind",
    "municipality",
    "locality",
    "issue_id",
    "record_type",
    "record_id",
    "title",
    "actor_role",
)
CHUNK = 1000
TIMELINE, ISSUE, TASK_FORCE = VIEWS["timeline"], VIEWS["issue"], VIEWS["task_force"]


class TimelineRow(NamedTuple):
    """One entry: the contract's fields first, then what only the HTML page uses."""

    date: date
    kind: str
    municipality: str
    locality: str
    issue_id: str
    record_type: str
    record_id: str
    title: str
    actor_role: str | None
    actor_user: str | None
    subject: str | None
    position: int
    entry_key: str
    registration_number: str | None = None  # the issue's: a last column in CSV, not in JSON

    def entry(self) -> dict[str, Any]:
        """The entry as the contract defines it: exactly `ENTRY_FIELDS`, in order."""
        return {name: getattr(self, name) for name in ENTRY_FIELDS}


class IssueHeading(NamedTuple):
    id: str
    municipality: str
    locality: str
    title: str
    category: str
    status: str
    parent_id: str | None
    position: int
    parent_title: str | None
    registration_number: str | None = None


class TaskForceSpan(NamedTuple):
    """A task force as a bar: formed, then due, and when it ended (completed or disbanded)."""

    id: str
    name: str
    status: str
    formed_on: date
    due_on: date
    ended_on: date | None
    members: dict[str, str]  # member_id -> display name, current members only
    subjects: dict[str, str]  # member_id -> the person's subject_id, current members only


@dataclass(frozen=True)
class TimelineFilter:
    """What the caller asked for; every field narrows the export."""

    municipality: str | None = None
    issue_id: UUID | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class Summary:
    count: int
    first: date | None
    last: date | None


NO_ISSUE = ""  # a service entry's stored issue_id


def _row_columns(issue_id: ColumnElement[Any]) -> tuple[ColumnElement[Any], ...]:
    return (
        TIMELINE.c.date,
        TIMELINE.c.kind,
        TIMELINE.c.municipality,
        ISSUE.c.locality,
        issue_id.label("issue_id"),
        TIMELINE.c.record_type,
        TIMELINE.c.record_id,
        TIMELINE.c.title,
        TIMELINE.c.actor_role,
        TIMELINE.c.actor_user,
        TIMELINE.c.subject,
        TIMELINE.c.position,
        TIMELINE.c.entry_key,
        ISSUE.c.registration_number,
    )


# The issue's own entries, and its locality's service entries
OWN = TIMELINE.join(ISSUE, ISSUE.c.id == TIMELINE.c.issue_id)
SERVICES = TIMELINE.join(
    ISSUE, and_(TIMELINE.c.issue_id == NO_ISSUE, ISSUE.c.locality_id == TIMELINE.c.record_id)
)


@dataclass
class Timeline:
    """One export's timeline, already checked against the caller's role and scope."""

    events: EventStore
    actor: Actor
    filter: TimelineFilter
    pseudonymised: bool
    on_chunk: Callable[[int], None] | None = field(default=None, repr=False)

    def entries(self, issue_id: str | None = None, counted: bool = True) -> Iterator[TimelineRow]:
        """Every entry in order, fetched `CHUNK` at a time; `issue_id` narrows to one issue."""
        after: tuple[date, int, str, str] | None = None
        while True:
            rows = self._rows(issue_id, after)
            order = (rows.c.date, rows.c.position, rows.c.entry_key, rows.c.issue_id)
            chunk = self._fetch(select(rows).order_by(*order).limit(CHUNK))
            if counted and self.on_chunk is not None and chunk:
                self.on_chunk(len(chunk))
            yield from chunk
            if len(chunk) < CHUNK:
                return
            last = chunk[-1]
            after = (last.date, last.position, last.entry_key, last.issue_id)

    def _rows(self, issue_id: str | None, after: tuple[date, int, str, str] | None) -> Subquery:
        """The issues' own entries and their localities' service entries, after the keyset."""
        branches = []
        for joined, issue in ((OWN, TIMELINE.c.issue_id), (SERVICES, ISSUE.c.id)):
            query = select(*_row_columns(issue)).select_from(joined).where(*self._conditions())
            if joined is SERVICES:
                query = query.where(TIMELINE.c.kind.in_(SERVICE_KINDS))
            if issue_id is not None:
                query = query.where(issue == issue_id)
            branches.append(_after(query, issue, after))
        return union_all(*branches).subquery("entries")

    def summary(self) -> Summary:
        """How many entries there are, and their first and last dates."""
        rows = self._rows(None, None)
        query = select(func.count(), func.min(rows.c.date), func.max(rows.c.date))
        with self._read() as session:
            count, first, last = session.execute(query).one()
        return Summary(int(count), first, last)

    def issues(self) -> Iterator[IssueHeading]:
        """The issues that have entries in this export, oldest first, in keyset chunks."""
        own = TIMELINE.c.issue_id == ISSUE.c.id
        services = and_(
            TIMELINE.c.issue_id == NO_ISSUE,
            TIMELINE.c.record_id == ISSUE.c.locality_id,
            TIMELINE.c.kind.in_(SERVICE_KINDS),
        )
        has_entries = or_(
            *(
                exists(
                    select(TIMELINE.c.position).where(joined, *self._conditions()).correlate(ISSUE)
                )
                for joined in (own, services)
            )
        )
        parent = ISSUE.alias("parent")
        columns: list[Any] = [ISSUE.c[name] for name in IssueHeading._fields[:-2]]
        columns += [parent.c.title, ISSUE.c.registration_number]
        query = (
            select(*columns)
            .select_from(ISSUE.outerjoin(parent, parent.c.id == ISSUE.c.parent_id))
            .where(has_entries)
            .order_by(ISSUE.c.position)
            .limit(CHUNK)
        )
        after = None
        while True:
            page = query if after is None else query.where(ISSUE.c.position > after)
            with self._read() as session:
                chunk = [IssueHeading(*row) for row in session.execute(page).all()]
            yield from chunk
            if len(chunk) < CHUNK:
                return
            after = chunk[-1].position

    def task_forces(self, issue_id: str) -> list[TaskForceSpan]:
        """The task forces of one issue, as bars (a handful per issue, so a list)."""
        query = (
            select(TASK_FORCE)
            .where(TASK_FORCE.c.issue_id == issue_id)
            .order_by(TASK_FORCE.c.position)
        )
        with self._read() as session:
            return [_span(row) for row in session.execute(query).mappings().all()]

    def outcome_indicators(self, issue_id: str) -> list[tuple[date, list[dict[str, Any]]]]:
        """The issue's outcomes that are not retracted, as (observed_on, indicators), in order."""
        outcome = VIEWS["outcome"]
        query = (
            select(outcome.c.observed_on, outcome.c.indicators)
            .where(outcome.c.issue_id == issue_id, outcome.c.status != "retracted")
            .order_by(outcome.c.observed_on, outcome.c.position)
        )
        with self._read() as session:
            return [(row.observed_on, row.indicators) for row in session.execute(query)]

    def service_impacts(self, issue_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
        """The issue's decisions as (title, status, service_impact), in proposing order."""
        decision = VIEWS["decision"]
        query = (
            select(decision.c.title, decision.c.status, decision.c.service_impact)
            .where(decision.c.issue_id == issue_id)
            .order_by(decision.c.position)
        )
        with self._read() as session:
            return [(r.title, r.status, r.service_impact) for r in session.execute(query)]

    def _conditions(self) -> list[ColumnElement[bool]]:
        wanted, conditions = self.filter, []
        if not self.actor.is_national:
            conditions.append(TIMELINE.c.municipality == self.actor.municipality)
        if wanted.municipality is not None:
            conditions.append(TIMELINE.c.municipality == wanted.municipality)
        if wanted.issue_id is not None:
            conditions.append(ISSUE.c.id.in_(self._subtree))
        if wanted.category is not None:
            conditions.append(ISSUE.c.category == wanted.category)
        if wanted.date_from is not None:
            conditions.append(TIMELINE.c.date >= wanted.date_from)
        if wanted.date_to is not None:
            conditions.append(TIMELINE.c.date <= wanted.date_to)
        if wanted.kinds is not None:
            conditions.append(TIMELINE.c.kind.in_(sorted(wanted.kinds)))
        if self.pseudonymised:
            conditions.append(TIMELINE.c.public.is_(True))  # non-public notes stay inside
        return conditions

    @cached_property
    def _subtree(self) -> Select[Any]:
        """One CTE for both branches of the query: two of one name would not compile."""
        assert self.filter.issue_id is not None
        return _subtree(self.filter.issue_id)

    def _fetch(self, query: Select[Any]) -> list[TimelineRow]:
        with self._read() as session:
            return [TimelineRow(*row) for row in session.execute(query).all()]

    def _read(self) -> Any:
        # commit=False: a read never takes SQLite's in-process writer lock.
        return self.events.reading()

    def narrowed(self, **changes: Any) -> Timeline:
        """The same export with some filters changed, e.g. only the calendar's kinds."""
        return replace(self, filter=replace(self.filter, **changes))


class TimelineQueries:
    """Opens timelines for callers: the role may export, and a named issue must be visible."""

    def __init__(self, events: EventStore, policy: AccessPolicy) -> None:
        self.events = events
        self.policy = policy

    def open(self, actor: Actor, wanted: TimelineFilter) -> Timeline:
        self.policy.authorise_query(actor, Query.EXPORT)
        if wanted.issue_id is not None:
            self._require_issue(actor, wanted.issue_id)
        return Timeline(self.events, actor, wanted, self.policy.pseudonymises(actor))

    def _require_issue(self, actor: Actor, issue_id: UUID) -> None:
        query = select(ISSUE.c.municipality).where(ISSUE.c.id == str(issue_id))
        with self.events.reading() as session:
            municipality = session.execute(query).scalar()
        if municipality is None or not self.policy.can_see(actor, municipality):
            raise NotFoundError(f"No issue {issue_id}.")


def _after(
    query: Select[Any], issue: ColumnElement[Any], after: tuple[date, int, str, str] | None
) -> Select[Any]:
    if after is None:
        return query
    # The plain `date >=` lets an index on date do the work; the row value makes it exact.
    order = (TIMELINE.c.date, TIMELINE.c.position, TIMELINE.c.entry_key, issue)
    return query.where(
        and_(TIMELINE.c.date >= after[0], tuple_(*order) > tuple_(*map(literal, after)))
    )


def _subtree(issue_id: UUID) -> Select[Any]:
    """The issue and its sub-issues, however deep, as a recursive CTE over `parent_id`."""
    tree = select(ISSUE.c.id).where(ISSUE.c.id == str(issue_id)).cte("subtree", recursive=True)
    tree = tree.union_all(select(ISSUE.c.id).where(ISSUE.c.parent_id == tree.c.id))
    return select(tree.c.id)


def _span(row: Any) -> TaskForceSpan:
    ended = row["updated_at"].date() if row["status"] != "active" else None
    return TaskForceSpan(
        id=row["id"],
        name=row["name"],
        status=row["status"],
        formed_on=row["created_at"].date(),
        due_on=row["due_on"],
        ended_on=ended,
        members={m["member_id"]: m["display_name"] for m in row["members"]},
        subjects={m["member_id"]: m["subject_id"] for m in row["members"] if m.get("subject_id")},
    )
