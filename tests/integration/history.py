"""A realistic history written through the command bus, shared by the auditors' tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application import commands as c
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan

ÅTVIDABERG, SÖDERHAMN = "0561", "2182"
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class History:
    falerum: UUID
    tronö: UUID
    task_force: UUID
    decision: UUID
    outcome: UUID


def as_caseworker(user: str, municipality: str = ÅTVIDABERG) -> CommandContext:
    return CommandContext(actor=Actor(user, Role.CASEWORKER, municipality))


def anna() -> CommandContext:
    return as_caseworker("anna.lind")


def erik() -> CommandContext:
    return as_caseworker("erik.holm")


def open_issue(samverkan: Samverkan, municipality: str, locality: str, title: str) -> UUID:
    command = c.OpenIssue(
        municipality=municipality,
        locality=locality,
        title=title,
        description=f"Byalaget i {locality} oroar sig för att butiken läggs ned.",
        category="groceries",
        raised_by=c.RaisedBy(organisation=f"{locality} byalag", kind="village_association"),
    )
    user = "anna.lind" if municipality == ÅTVIDABERG else "per.ek"
    return samverkan.bus.dispatch(command, as_caseworker(user, municipality)).id


def write_history(samverkan: Samverkan) -> History:
    """Two municipalities; an issue with a note, a task force, a decision and an outcome."""
    bus = samverkan.bus
    falerum = open_issue(samverkan, ÅTVIDABERG, "Falerum", "Butiken i Falerum kan stänga")
    tronö = open_issue(samverkan, SÖDERHAMN, "Trönö", "Drivmedel i Trönö")
    bus.dispatch(c.EditIssue(issue_id=falerum, title="Dagligvaror i Falerum"), anna())
    bus.dispatch(
        c.AddNote(issue_id=falerum, kind="meeting", text="Möte i bygdegården.", occurred_on=TODAY),
        anna(),
    )
    lead = c.Person(display_name="Karin Berg", organisation="Åtvidabergs kommun", role="lots")
    task_force = bus.dispatch(
        c.FormTaskForce(
            issue_id=falerum,
            name="Insatsstyrka Falerum",
            mandate="Ta fram en servicepunkt tillsammans med byalaget.",
            due_on=TODAY + timedelta(days=60),
            lead=lead,
        ),
        anna(),
    ).id
    bus.dispatch(c.ReportProgress(task_force_id=task_force, text="Lokal hittad."), anna())
    decision = bus.dispatch(
        c.ProposeDecision(
            issue_id=falerum,
            title="Servicepunkt i Falerum",
            rationale="Närmaste butik ligger tre mil bort.",
            decision_body="Kommunstyrelsen",
            task_force_id=task_force,
        ),
        anna(),
    ).id
    bus.dispatch(
        c.AdoptDecision(decision_id=decision, decided_on=TODAY, reference="KS 2024/17"), anna()
    )
    indicator = c.Indicator(name="Öppettimmar", value=Decimal("42.5"), unit="timmar/vecka")
    outcome = bus.dispatch(
        c.RecordOutcome(
            issue_id=falerum,
            decision_ids=[decision],
            summary="Servicepunkten har öppnat.",
            indicators=[indicator],
            observed_on=TODAY,
        ),
        anna(),
    ).id
    bus.dispatch(c.VerifyOutcome(outcome_id=outcome, note="Kontrollerat på plats."), erik())
    return History(falerum, tronö, task_force, decision, outcome)
