"""Insights computed from the event history: person dependency and the dialogue cycle.

Everything here is read from the views in one transaction; nothing is stored. Tallies are
grouped in SQL (per record and actor), so the Python side handles a handful of rows per issue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from application.ports import CommandResult, Holdings
from domain.dialogue_plan import RETIRED, next_dialogue_due
from domain.locality import locality_id
from domain.staff import StaffStatus
from domain.values import SYSTEM_USER, Actor, IssueStatus, NoteKind, Role, TaskForceStatus
from infrastructure.store.event_store import EventStore
from infrastructure.views.note_log import current_occurred_on, not_withdrawn
from infrastructure.views.read_models import VIEWS
from infrastructure.views.service_closings import unanswered_closings

WINDOW_DAYS = 90
STALE_AFTER_DAYS = 60
# Notes that count as a held dialogue in the annual cycle: a conversation, not an e-mail.
DIALOGUE_KINDS = (NoteKind.DIALOGUE, NoteKind.MEETING, NoteKind.SITE_VISIT)

Row = dict[str, Any]


def holdings_of(session: Session, municipality: str, user_id: str) -> Holdings:
    """Open issues that `user_id` is responsible for, and active task forces they lead."""
    issue, task_force = VIEWS["issue"], VIEWS["task_force"]
    issue_ids = (
        session.execute(
            select(issue.c.id).where(
                issue.c.responsible_user == user_id,
                issue.c.municipality == municipality,
                issue.c.status == IssueStatus.OPEN,
            )
        )
        .scalars()
        .all()
    )
    task_force_ids = (
        session.execute(
            select(task_force.c.id).where(
                task_force.c.lead_user == user_id,
                task_force.c.municipality == municipality,
                task_force.c.status == TaskForceStatus.ACTIVE,
            )
        )
        .scalars()
        .all()
    )
    return Holdings([UUID(i) for i in issue_ids], [UUID(t) for t in task_force_ids])


@dataclass(frozen=True)
class Tally:
    """One actor's events on one issue or locality."""

    user: str
    events: int
    recent: int
    last_at: datetime


def figures(tallies: list[Tally], now: datetime) -> Row:
    """Actor counts, the busiest actor's share, and the flags that follow from them."""
    total = sum(t.events for t in tallies)
    busiest = max(tallies, key=lambda t: (t.events, t.last_at), default=None)
    others = [t.last_at for t in tallies if busiest is not None and t.user != busiest.user]
    last_at = max((t.last_at for t in tallies), default=None)
    recent_actors = sum(1 for t in tallies if t.recent)
    return {
        "events": total,
        "events_last_90_days": sum(t.recent for t in tallies),
        "actors": len(tallies),
        "actors_last_90_days": recent_actors,
        "busiest_actor": busiest.user if busiest else None,
        "busiest_actor_share": round(busiest.events / total, 4) if busiest else 0.0,
        "last_activity_at": last_at,
        "last_activity_by_others_at": max(others, default=None),
        "single_person": recent_actors == 1,
        "stale": last_at is None or last_at < now - timedelta(days=STALE_AFTER_DAYS),
    }


class Insights:
    """Read-only queries over the views, scoped like every list: own municipality or `*`."""

    def __init__(self, events: EventStore) -> None:
        self.events = events

    def person_dependency(self, actor: Actor, municipality: str | None, now: datetime) -> Row:
        with self.events.reading() as session:
            return _PersonDependency(session, actor, municipality, now).report()

    def dialogue_cycle(self, actor: Actor, municipality: str | None, today: date) -> list[Row]:
        with self.events.reading() as session:
            return _dialogue_cycle(session, actor, municipality, today)


def scoped(column: Any, actor: Actor, municipality: str | None) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if not actor.is_national:
        condition = condition & (column == actor.municipality)
    if municipality is not None:
        condition = condition & (column == municipality)
    return condition


class _PersonDependency:
    def __init__(self, session: Session, actor: Actor, municipality: str | None, now: datetime):
        self.session, self.now = session, now
        self.issue, self.log = VIEWS["issue"], VIEWS["log"]
        self.scope = scoped(self.issue.c.municipality, actor, municipality)
        self.staff = self._staff_statuses(actor, municipality)
        self.overdue_follow_ups = self._overdue_follow_ups(actor, municipality)
        self.task_forces = self._active_task_forces(actor, municipality)
        self.closings = unanswered_closings(
            session,
            self.scope,
            scoped(VIEWS["locality"].c.municipality, actor, municipality),
            tuple(str(k) for k in DIALOGUE_KINDS),
        )

    def report(self) -> Row:
        issues = self._issues()
        localities = self._localities(issues)
        self._flag_closings(issues, localities)
        return {
            "generated_at": self.now,
            "window_days": WINDOW_DAYS,
            "stale_after_days": STALE_AFTER_DAYS,
            "issues": _most_flagged_first(issues),
            "localities": _most_flagged_first(localities),
        }

    def _issues(self) -> list[Row]:
        issue = self.issue
        rows = (
            self.session.execute(
                select(
                    issue.c.id.label("issue_id"),
                    issue.c.municipality,
                    issue.c.locality,
                    issue.c.title,
                    issue.c.responsible_user,
                ).where(self.scope, issue.c.status == IssueStatus.OPEN)
            )
            .mappings()
            .all()
        )
        tallies = self._tallies([issue.c.id], issue.c.status == IssueStatus.OPEN)
        out = []
        for row in rows:
            task_forces = [t for t in self.task_forces if t["issue_id"] == row["issue_id"]]
            holder = self._status_of(row["municipality"], row["responsible_user"])
            signs = {
                "orphaned": holder == StaffStatus.DEPARTED,
                "on_leave": holder == StaffStatus.ON_LEAVE,
                "overdue_follow_up": row["issue_id"] in self.overdue_follow_ups,
            }
            out.append(
                self._assess(dict(row), tallies.get((row["issue_id"],), []), task_forces, signs)
            )
        return out

    def _localities(self, issues: list[Row]) -> list[Row]:
        issue = self.issue
        keys = [issue.c.municipality, issue.c.locality]
        tallies = self._tallies(keys, true())
        open_counts: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in issues:
            open_counts[(row["municipality"], row["locality"])].append(row)
        out = []
        for key in sorted(set(tallies) | set(open_counts)):
            task_forces = [t for t in self.task_forces if (t["municipality"], t["locality"]) == key]
            signs = {
                sign: any(i["flags"][sign] for i in open_counts[key])
                for sign in ("orphaned", "on_leave", "overdue_follow_up")
            }
            base = {
                "municipality": key[0],
                "locality": key[1],
                "open_issues": len(open_counts[key]),
            }
            out.append(self._assess(base, tallies.get(key, []), task_forces, signs))
        return out

    def _flag_closings(self, issues: list[Row], localities: list[Row]) -> None:
        """A shop closed and nobody recorded a dialogue since: on the locality and its issues.

        A registered locality with such a closing and no issue at all gets a row of its own.
        """
        for row in issues + localities:
            key = locality_id(row["municipality"], row["locality"])
            row["flags"]["service_closed_without_dialogue"] = key in self.closings
        listed = {locality_id(r["municipality"], r["locality"]) for r in localities}
        for key, closing in self.closings.items():
            if key not in listed:
                base = {k: closing[k] for k in ("municipality", "locality")}
                none = dict.fromkeys(("orphaned", "on_leave", "overdue_follow_up"), False)
                row = self._assess({**base, "open_issues": 0}, [], [], none)
                row["flags"]["service_closed_without_dialogue"] = True
                localities.append(row)

    def _assess(
        self, base: Row, tallies: list[Tally], task_forces: list[Row], signs: dict[str, bool]
    ) -> Row:
        numbers = figures(tallies, self.now)
        fragile = [t for t in task_forces if t["fragile"]]
        flags = {
            "single_person": numbers.pop("single_person"),
            "stale": numbers.pop("stale"),
            "orphaned": signs["orphaned"] or any(t["orphaned"] for t in task_forces),
            "lead_without_backup": bool(fragile),
            "on_leave": signs["on_leave"] or any(t["on_leave"] for t in task_forces),
            "overdue_follow_up": signs["overdue_follow_up"],
        }
        return {**base, **numbers, "flags": flags, "fragile_task_forces": fragile}

    def _tallies(self, keys: list[Any], condition: Any) -> dict[tuple[Any, ...], list[Tally]]:
        log = self.log
        since = self.now - timedelta(days=WINDOW_DAYS)
        recent = func.sum(case((log.c.occurred_at >= since, 1), else_=0))
        query = (
            select(*keys, log.c.actor_user, func.count(), recent, func.max(log.c.occurred_at))
            .select_from(log.join(self.issue, self.issue.c.id == log.c.issue_id))
            .where(self.scope, condition, log.c.actor_user != SYSTEM_USER)  # people only
            .group_by(*keys, log.c.actor_user)
        )
        grouped: dict[tuple[Any, ...], list[Tally]] = defaultdict(list)
        for *key, user, events, recent_events, last_at in self.session.execute(query).all():
            grouped[tuple(key)].append(Tally(user, events, int(recent_events or 0), last_at))
        return grouped

    def _staff_statuses(self, actor: Actor, municipality: str | None) -> dict[tuple[str, str], str]:
        """Users on leave or departed; a user without a staff record is active."""
        staff = VIEWS["staff_member"]
        rows = self.session.execute(
            select(staff.c.municipality, staff.c.user_id, staff.c.status).where(
                scoped(staff.c.municipality, actor, municipality),
                staff.c.status != StaffStatus.ACTIVE,
            )
        )
        return {(m, u): status for m, u, status in rows}

    def _status_of(self, municipality: str, user_id: str | None) -> str:
        if user_id is None:
            return StaffStatus.ACTIVE
        return self.staff.get((municipality, user_id), StaffStatus.ACTIVE)

    def _overdue_follow_ups(self, actor: Actor, municipality: str | None) -> set[str]:
        """Issues whose follow-up date lies before today (UTC)."""
        follow_up = VIEWS["follow_up"]
        return set(
            self.session.execute(
                select(follow_up.c.issue_id).where(
                    scoped(follow_up.c.municipality, actor, municipality),
                    follow_up.c.due_on < self.now.date(),
                )
            ).scalars()
        )

    def _active_task_forces(self, actor: Actor, municipality: str | None) -> list[Row]:
        tf, log = VIEWS["task_force"], self.log
        active = (tf.c.status == TaskForceStatus.ACTIVE) & scoped(
            tf.c.municipality, actor, municipality
        )
        handed_over = set(
            self.session.execute(
                select(log.c.record_id)
                .select_from(log.join(tf, tf.c.id == log.c.record_id))
                .where(active, log.c.type == "TaskForce.LeadHandedOver")
            )
            .scalars()
            .all()
        )
        rows = (
            self.session.execute(
                select(tf, self.issue.c.locality)
                .select_from(tf.join(self.issue, self.issue.c.id == tf.c.issue_id))
                .where(active)
            )
            .mappings()
            .all()
        )
        return [self._task_force(dict(r), r["id"] in handed_over) for r in rows]

    def _task_force(self, row: Row, handed_over: bool) -> Row:
        members = {m["member_id"]: m for m in row["members"]}
        lead = members[row["lead"]]
        backed = any(m["organisation"] != lead["organisation"] for m in members.values())
        return {
            "task_force_id": row["id"],
            "issue_id": row["issue_id"],
            "municipality": row["municipality"],
            "locality": row["locality"],
            "name": row["name"],
            "lead_member_id": row["lead"],
            "lead_subject_id": lead.get("subject_id"),  # for a pseudonym per person
            "lead_display_name": lead["display_name"],
            "lead_organisation": lead["organisation"],
            "lead_user": row["lead_user"],
            "fragile": not handed_over and not backed,
            "orphaned": self._status_of(row["municipality"], row["lead_user"])
            == StaffStatus.DEPARTED,
            "on_leave": self._status_of(row["municipality"], row["lead_user"])
            == StaffStatus.ON_LEAVE,
        }


def _most_flagged_first(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-sum(r["flags"].values()), r["municipality"], r["locality"]))


def _dialogue_cycle(
    session: Session, actor: Actor, municipality: str | None, today: date
) -> list[Row]:
    plan, note, issue = VIEWS["dialogue_plan"], VIEWS["note"], VIEWS["issue"]
    last_notes = session.execute(
        select(issue.c.municipality, issue.c.locality, func.max(current_occurred_on()))
        .select_from(note.join(issue, issue.c.id == note.c.issue_id))
        .where(scoped(issue.c.municipality, actor, municipality))
        .where(note.c.kind.in_([str(k) for k in DIALOGUE_KINDS]), not_withdrawn())
        # Evaluators see public notes only: not even the date of another one.
        .where(note.c.public.is_(True) if actor.role == Role.EVALUATOR else true())
        .group_by(issue.c.municipality, issue.c.locality)
    ).all()
    last_on = {(m, loc): day for m, loc, day in last_notes}
    plans = (
        session.execute(
            select(plan)
            .where(scoped(plan.c.municipality, actor, municipality))
            .where(plan.c.status != RETIRED)  # a retired plan has left the cycle
            .order_by(plan.c.municipality, plan.c.locality)
        )
        .mappings()
        .all()
    )
    out = []
    for row in plans:
        last = last_on.get((row["municipality"], row["locality"]))
        due = next_dialogue_due(row["starts_on"], row["every_months"], last)
        out.append(
            {
                **{k: row[k] for k in ("municipality", "locality", "every_months", "partner")},
                "plan_id": row["id"],
                "starts_on": row["starts_on"],
                "last_dialogue_on": last,
                "next_due_on": due,
                "overdue": due < today,
                "days_overdue": max((today - due).days, 0),
            }
        )
    return out


def handover_counts(events: EventStore, result: CommandResult) -> tuple[int, int]:
    """Issues and task forces moved by the handover that produced `result`, as recorded then."""
    staff = events.repository.get(result.id, version=result.version)
    return staff.moved  # type: ignore[no-any-return]
