"""How the demo programme is told: each command at a moment that fits its business dates.

`DemoWriter` speaks for one municipality's demo users (`demo.<ort>.1`, `.2`, ...) and keeps
that municipality's story clock. A command runs at a business date it names (a note's day, an
adoption, an observation), or a few minutes after the previous command; the clock never runs
back, so an issue is opened before its task force and a proposal before its adoption.
`StoryConductor` (demo_conductor.py) lets the municipalities take turns, earliest moment
first, so the global log, too, is in the order the story happened. Demo and tests only: the clock is
injected in-process (domain/clock.py), never taken from a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from application import commands as c
from application.bus import CommandBus
from application.ports import CommandContext
from domain import clock
from domain.values import Actor, Role
from interfaces.demo.conductor import StoryConductor, alone

UNIT, ROLE = "Samhällsbyggnad, landsbygdsutveckling", "landsbygdsutvecklare"
STORY_STARTS = datetime(2022, 8, 1, 7, 30, tzinfo=UTC)
OFFICE_OPENS = time(7, 30)  # UTC: half past eight or nine in Sweden
STEP = timedelta(minutes=9)  # between two commands on one day


class DemoStoryError(ValueError):
    """The programme tells its story out of order: a date before where the story already is."""


@dataclass
class DemoWriter:
    """Runs commands as a municipality's demo users, each at its moment in the story."""

    bus: CommandBus
    code: str
    slug: str
    conductor: StoryConductor | None = None
    count: int = 0
    today: date = field(default_factory=lambda: datetime.now(UTC).date())  # the loading day
    now: datetime = STORY_STARTS

    def user(self, n: int) -> str:
        return f"demo.{self.slug}.{n}"

    def days_ago(self, days: int) -> date:
        """A day relative to the loading day: the story's recent past reaches the present."""
        return self.today - timedelta(days=days)

    def at(self, day: date) -> None:
        """Move the story on to `day`; the next command without a date of its own runs then."""
        self.now = self._moment(day) - STEP

    def run(self, command: c.Command, by: int = 1, on: date | None = None) -> Any:
        """Run `command` on the day `on` (morning), or a few minutes after the previous one."""
        self.now = self._moment(on)
        actor = Actor(self.user(by), Role.CASEWORKER, self.code)
        turn = self.conductor.turn if self.conductor else alone
        with turn(self.slug, self.now), clock.recording_at(self.now):
            result = self.bus.dispatch(command, CommandContext(actor=actor))
        self.count += 1
        return result

    def _moment(self, day: date | None) -> datetime:
        moment = self.now + STEP
        if day is not None:
            if day < self.now.date():
                raise DemoStoryError(
                    f"{self.slug}: {day} lies before {self.now.date()}, where the story is."
                )
            moment = max(moment, datetime.combine(day, OFFICE_OPENS, UTC))
        if moment > datetime.now(UTC):
            raise DemoStoryError(f"{self.slug}: {moment} lies in the future.")
        return moment

    def _soon(self, day: date) -> date | None:
        """`day`, unless the story is already past it: then just the next moment."""
        return day if day >= self.now.date() else None

    # Issues

    def issue(
        self,
        locality: str,
        title: str,
        text: str,
        category: str,
        raised_by: str,
        kind: str = "village_association",
        by: int = 1,
        on: date | None = None,
    ) -> UUID:
        command = c.OpenIssue(
            municipality=self.code,
            locality=locality,
            title=f"[Demo] {title}",
            description=f"{text}\n\nDemodata / demo data.",
            category=category,
            raised_by=c.RaisedBy(organisation=raised_by, kind=kind),
        )
        return self.run(command, by, on).id  # type: ignore[no-any-return]

    def assign(self, issue: UUID, holder: int, by: int = 1) -> None:
        command = c.AssignResponsibility(
            issue_id=issue, unit=UNIT, role=ROLE, user_id=self.user(holder)
        )
        self.run(command, by)

    def note(
        self,
        issue: UUID,
        on: date,
        text: str,
        *,
        kind: str = "dialogue",
        public: bool = False,
        by: int = 2,
    ) -> None:
        """Noted on the day it happened, in the afternoon."""
        command = c.AddNote(issue_id=issue, kind=kind, text=text, occurred_on=on, public=public)
        self.at(on)
        self.now = max(self.now, datetime.combine(on, time(14, 0), UTC))
        self.run(command, by)

    def follow_up(self, issue: UUID, due_on: date, note: str, by: int = 1) -> None:
        self.run(c.SetFollowUp(issue_id=issue, due_on=due_on, note=note), by)

    # Task forces, decisions, outcomes

    def task_force(
        self,
        issue: UUID,
        name: str,
        mandate: str,
        lead: tuple[str, str, int | None],
        days: int = 120,
        by: int = 1,
        on: date | None = None,
    ) -> UUID:
        display_name, organisation, user = lead
        person = c.Person(
            display_name=display_name,
            organisation=organisation,
            role="sammankallande",
            user_id=self.user(user) if user else None,
        )
        formed = on or (self.now + STEP).date()
        command = c.FormTaskForce(
            issue_id=issue,
            name=f"[Demo] {name}",
            mandate=mandate,
            due_on=formed + timedelta(days=days),
            lead=person,
        )
        return self.run(command, by, formed).id  # type: ignore[no-any-return]

    def member(
        self,
        task_force: UUID,
        name: str,
        organisation: str,
        role: str,
        user: int | None = None,
        by: int = 1,
    ) -> str:
        command = c.AddMember(
            task_force_id=task_force,
            display_name=name,
            organisation=organisation,
            role=role,
            user_id=self.user(user) if user else None,
        )
        return self.run(command, by).member_id  # type: ignore[no-any-return]

    def decide(
        self,
        issue: UUID,
        title: str,
        rationale: str,
        body: str,
        on: date,
        reference: str | None = None,
        task_force: UUID | None = None,
        by: int = 1,
        weeks_before: int = 4,
    ) -> UUID:
        """Proposed some weeks before the meeting that adopts it on `on`."""
        proposal = c.ProposeDecision(
            issue_id=issue,
            title=f"[Demo] {title}",
            rationale=rationale,
            decision_body=body,
            task_force_id=task_force,
        )
        proposed = self.run(proposal, by, self._soon(on - timedelta(weeks=weeks_before))).id
        adoption = c.AdoptDecision(decision_id=proposed, decided_on=on, reference=reference)
        self.run(adoption, by, on)
        return proposed  # type: ignore[no-any-return]

    def outcome(
        self,
        issue: UUID,
        decisions: list[UUID],
        summary: str,
        indicators: list[tuple[str, str, str, str | None, str | None]],
        on: date,
        by: int = 1,
        verified_by: int | None = 2,
    ) -> None:
        """Recorded a couple of days after it was observed; verified a week later."""
        recorded = self.run(
            c.RecordOutcome(
                issue_id=issue,
                decision_ids=decisions,
                summary=summary,
                indicators=[
                    c.Indicator(name=n, value=v, unit=u, baseline=b, target=t)  # type: ignore[arg-type]
                    for n, v, u, b, t in indicators
                ],
                observed_on=on,
            ),
            by,
            on + timedelta(days=2),
        ).id
        if verified_by is not None:
            verification = c.VerifyOutcome(outcome_id=recorded, note="Avstämt mot underlaget.")
            self.run(verification, verified_by, on + timedelta(days=9))

    # The dialogue cycle and staff

    def plan_dialogue(
        self,
        locality: str,
        every_months: int,
        partner: str,
        starts_on: date,
        by: int = 1,
        on: date | None = None,
    ) -> None:
        command = c.PlanDialogue(
            municipality=self.code,
            locality=locality,
            every_months=every_months,
            partner=partner,
            starts_on=starts_on,
        )
        self.run(command, by, on)

    def leave(
        self, user: int, starts_on: date, ends_on: date | None, note: str, by: int = 1
    ) -> None:
        command = c.StartLeave(
            municipality=self.code,
            user_id=self.user(user),
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
        )
        self.run(command, by)
