"""The demo programme: loaded through the command bus, so its history is real. DEMO DATA.

`DemoWriter` speaks for one municipality's demo users (`demo.<ort>.1`, `.2`, ...); the
programme itself, in Swedish, is in `demo_programme.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import typer

from application import commands as c
from application.bus import CommandBus
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan

UNIT, ROLE = "Samhällsbyggnad, landsbygdsutveckling", "landsbygdsutvecklare"


@dataclass
class DemoWriter:
    """Runs commands as a municipality's demo users; counts what it ran."""

    bus: CommandBus
    code: str
    slug: str
    count: int = 0
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    def user(self, n: int) -> str:
        return f"demo.{self.slug}.{n}"

    def run(self, command: c.Command, by: int = 1) -> Any:
        actor = Actor(self.user(by), Role.CASEWORKER, self.code)
        self.count += 1
        return self.bus.dispatch(command, CommandContext(actor=actor))

    def issue(
        self,
        locality: str,
        title: str,
        text: str,
        category: str,
        raised_by: str,
        kind: str = "village_association",
        by: int = 1,
    ) -> UUID:
        return self.run(  # type: ignore[no-any-return]
            c.OpenIssue(
                municipality=self.code,
                locality=locality,
                title=f"[Demo] {title}",
                description=f"{text}\n\nDemodata / demo data.",
                category=category,
                raised_by=c.RaisedBy(organisation=raised_by, kind=kind),
            ),
            by,
        ).id

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
        self.run(c.AddNote(issue_id=issue, kind=kind, text=text, occurred_on=on, public=public), by)

    def task_force(
        self,
        issue: UUID,
        name: str,
        mandate: str,
        lead: tuple[str, str, int | None],
        days: int = 120,
        by: int = 1,
    ) -> UUID:
        display_name, organisation, user = lead
        person = c.Person(
            display_name=display_name,
            organisation=organisation,
            role="sammankallande",
            user_id=self.user(user) if user else None,
        )
        due = self.today + timedelta(days=days)
        command = c.FormTaskForce(
            issue_id=issue, name=f"[Demo] {name}", mandate=mandate, due_on=due, lead=person
        )
        return self.run(command, by).id  # type: ignore[no-any-return]

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
    ) -> UUID:
        proposed = self.run(
            c.ProposeDecision(
                issue_id=issue,
                title=f"[Demo] {title}",
                rationale=rationale,
                decision_body=body,
                task_force_id=task_force,
            ),
            by,
        ).id
        self.run(c.AdoptDecision(decision_id=proposed, decided_on=on, reference=reference), by)
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
        ).id
        if verified_by is not None:
            self.run(
                c.VerifyOutcome(outcome_id=recorded, note="Avstämt mot underlaget."), verified_by
            )

    def plan_dialogue(
        self, locality: str, every_months: int, partner: str, starts_on: date, by: int = 1
    ) -> None:
        command = c.PlanDialogue(
            municipality=self.code,
            locality=locality,
            every_months=every_months,
            partner=partner,
            starts_on=starts_on,
        )
        self.run(command, by)


def load_demo(samverkan: Samverkan, only_if_empty: bool = False) -> int:
    """Load the demo data set; returns the number of commands run (0 if skipped)."""
    if only_if_empty and samverkan.events.recorder.max_notification_id():
        return 0
    from interfaces.cli.demo_programme import PROGRAMME_LOADERS

    count = 0
    for code, slug, loader in PROGRAMME_LOADERS:
        writer = DemoWriter(samverkan.bus, code, slug)
        loader(writer)
        count += writer.count
    return count


app = typer.Typer(no_args_is_help=True, help="The demo programme.")


@app.command("load")
def load() -> None:
    """Load the demo data set through the command bus."""
    from interfaces.cli.store import opened

    with opened(create=True) as samverkan:
        count = load_demo(samverkan)
    typer.echo(f"loaded {count} demo commands", err=True)
