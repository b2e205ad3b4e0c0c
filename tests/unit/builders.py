"""Builders for the domain unit tests: realistic Swedish records and the people who change them."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.decision import Decision
from domain.errors import DomainRuleError
from domain.issue import Issue
from domain.outcome import Indicator, Outcome, indicator
from domain.task_force import TaskForce
from domain.values import Actor, Provenance, Role

ÅTVIDABERG, SÖDERHAMN, MÖRBYLÅNGA = "0561", "2182", "0840"
TODAY = datetime.now(UTC).date()


def by(user: str = "anna.lind", municipality: str = ÅTVIDABERG) -> Provenance:
    """A caseworker's provenance, with fresh command and correlation ids."""
    return Provenance(Actor(user, Role.CASEWORKER, municipality), str(uuid4()), str(uuid4()))


def an_issue(
    municipality: str = ÅTVIDABERG, provenance: Provenance | None = None, **overrides: Any
) -> Issue:
    fields: dict[str, Any] = {
        "municipality": municipality,
        "locality": "Falerum",
        "title": "Butiken i Falerum kan stänga",
        "description": "Byalaget oroar sig för att dagligvarubutiken läggs ned.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        "parent_id": None,
        **overrides,
    }
    return Issue.open(by=provenance or by(municipality=municipality), **fields)


def a_task_force(issue_id: UUID | None = None, **overrides: Any) -> TaskForce:
    fields: dict[str, Any] = {
        "issue_id": issue_id or uuid4(),
        "municipality": ÅTVIDABERG,
        "name": "Insatsstyrka Falerum",
        "mandate": "Ta fram ett förslag på servicepunkt tillsammans med byalaget.",
        "due_on": TODAY + timedelta(days=60),
        "lead": {
            "display_name": "Karin Berg",
            "organisation": "Åtvidabergs kommun",
            "role": "landsbygdsutvecklare",
        },
        "today": TODAY,
        "by": by(),
        **overrides,
    }
    return TaskForce.form(**fields)


def a_decision(issue_id: UUID | None = None, **overrides: Any) -> Decision:
    fields: dict[str, Any] = {
        "issue_id": issue_id or uuid4(),
        "municipality": ÅTVIDABERG,
        "task_force_id": None,
        "title": "Kommunal servicepunkt i Falerum",
        "rationale": "Butiken är den enda inom tre mil; en servicepunkt håller den öppen.",
        "decision_body": "Kommunstyrelsen",
        "by": by(),
        **overrides,
    }
    return Decision.propose(**fields)


def an_adopted_decision(issue_id: UUID | None = None, **overrides: Any) -> Decision:
    decision = a_decision(issue_id, **overrides)
    decision.adopt(TODAY, "KS 2024/112", by())
    return decision


def customers(value: str = "412") -> Indicator:
    return indicator("kunder per vecka", Decimal(value), "st", baseline=Decimal("380"))


def an_outcome(issue_id: UUID | None = None, **overrides: Any) -> Outcome:
    fields: dict[str, Any] = {
        "issue_id": issue_id or uuid4(),
        "municipality": ÅTVIDABERG,
        "decision_ids": [],
        "summary": "Servicepunkten har öppnat och kundflödet har ökat.",
        "indicators": [customers()],
        "observed_on": TODAY,
        "today": TODAY,
        "by": by("anna.lind"),
        **overrides,
    }
    return Outcome.record(**fields)


def saved(aggregate: Aggregate) -> Aggregate:
    """Drop the pending events, as saving would, so tests see only what a command records."""
    aggregate.collect_events()
    return aggregate


def refuses(
    aggregate: Aggregate, error: type[DomainRuleError], command: Callable[[], object]
) -> None:
    """The command breaks a rule: it raises the typed error and records nothing."""
    saved(aggregate)
    version, state = aggregate.version, state_of(aggregate)
    with pytest.raises(error):
        command()
    assert aggregate.collect_events() == []
    assert aggregate.version == version
    assert state_of(aggregate) == state


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's state, without the events it has not yet saved."""
    return deepcopy({k: v for k, v in aggregate.__dict__.items() if k != "_pending_events"})


def days(n: int) -> date:
    return TODAY + timedelta(days=n)
