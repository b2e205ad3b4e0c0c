"""Decision rules from domain.md: adopt or reject only a proposed decision; revoke or supersede
only an adopted one, and only by an adopted decision on the same issue."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.decision import Decision
from domain.errors import BlankTextError, CrossRecordError, RecordNotOpenError
from domain.values import DecisionStatus
from tests.unit.builders import TODAY, a_decision, an_adopted_decision, by, refuses, saved

ISSUE = uuid4()


def adopt(decision: Decision) -> None:
    decision.adopt(TODAY, "KS 2024/112", by())


def reject(decision: Decision) -> None:
    decision.reject("Kostnaden ryms inte i budgeten.", by())


def revoke(decision: Decision) -> None:
    decision.revoke("Butiken fick en ny ägare.", by())


def supersede(decision: Decision) -> None:
    decision.supersede(an_adopted_decision(decision.issue_id), by())


def in_status(status: DecisionStatus) -> Decision:
    decision = a_decision(ISSUE)
    steps: dict[DecisionStatus, list[Callable[[Decision], None]]] = {
        DecisionStatus.PROPOSED: [],
        DecisionStatus.ADOPTED: [adopt],
        DecisionStatus.REJECTED: [reject],
        DecisionStatus.REVOKED: [adopt, revoke],
        DecisionStatus.SUPERSEDED: [adopt, supersede],
    }
    for step in steps[status]:
        step(decision)
    assert decision.status == status
    return decision


NOT_PROPOSED = [s for s in DecisionStatus if s != DecisionStatus.PROPOSED]
NOT_ADOPTED = [s for s in DecisionStatus if s != DecisionStatus.ADOPTED]


def test_proposing_records_one_proposed_event() -> None:
    task_force_id = uuid4()
    decision = a_decision(ISSUE, task_force_id=task_force_id)
    (proposed,) = decision.collect_events()
    assert isinstance(proposed, Decision.Proposed)
    assert (decision.status, decision.issue_id, decision.task_force_id) == (
        DecisionStatus.PROPOSED,
        ISSUE,
        task_force_id,
    )
    assert (decision.decided_on, decision.reference, decision.superseded_by) == (None, None, None)


def test_a_decision_needs_a_title() -> None:
    with pytest.raises(BlankTextError):
        a_decision(title="")


def test_adopting_records_the_day_and_reference() -> None:
    decision = saved(a_decision())
    decision.adopt(TODAY, "KS 2024/112", by())
    (adopted,) = decision.collect_events()
    assert isinstance(adopted, Decision.Adopted)
    assert (decision.status, decision.decided_on, decision.reference) == (
        DecisionStatus.ADOPTED,
        TODAY,
        "KS 2024/112",
    )


def test_a_reference_is_optional() -> None:
    decision = a_decision()
    decision.adopt(TODAY, None, by())
    assert decision.reference is None


def test_rejecting_a_proposed_decision() -> None:
    decision = a_decision()
    reject(decision)
    assert decision.status == DecisionStatus.REJECTED


@pytest.mark.parametrize("status", NOT_PROPOSED)
@pytest.mark.parametrize("act", [adopt, reject])
def test_adopt_or_reject_only_a_proposed_decision(
    status: DecisionStatus, act: Callable[[Decision], None]
) -> None:
    decision = in_status(status)
    refuses(decision, RecordNotOpenError, lambda: act(decision))


@pytest.mark.parametrize("status", NOT_ADOPTED)
@pytest.mark.parametrize("act", [revoke, supersede])
def test_revoke_or_supersede_only_an_adopted_decision(
    status: DecisionStatus, act: Callable[[Decision], None]
) -> None:
    decision = in_status(status)
    refuses(decision, RecordNotOpenError, lambda: act(decision))


def test_revoking_an_adopted_decision() -> None:
    decision = in_status(DecisionStatus.ADOPTED)
    revoke(decision)
    assert decision.status == DecisionStatus.REVOKED


def test_superseding_records_the_successor() -> None:
    decision = saved(in_status(DecisionStatus.ADOPTED))
    successor = an_adopted_decision(ISSUE)
    decision.supersede(successor, by())
    (superseded,) = decision.collect_events()
    assert isinstance(superseded, Decision.Superseded)
    assert superseded.by_decision_id == successor.id
    assert (decision.status, decision.superseded_by) == (DecisionStatus.SUPERSEDED, successor.id)


@pytest.mark.parametrize("status", NOT_ADOPTED)
def test_the_superseding_decision_must_be_adopted(status: DecisionStatus) -> None:
    decision = in_status(DecisionStatus.ADOPTED)
    successor = in_status(status)
    refuses(decision, CrossRecordError, lambda: decision.supersede(successor, by()))


def test_the_superseding_decision_must_belong_to_the_same_issue() -> None:
    decision = in_status(DecisionStatus.ADOPTED)
    elsewhere = an_adopted_decision(uuid4())
    refuses(decision, CrossRecordError, lambda: decision.supersede(elsewhere, by()))


def test_a_decision_cannot_supersede_itself() -> None:
    decision = in_status(DecisionStatus.ADOPTED)
    refuses(decision, CrossRecordError, lambda: decision.supersede(decision, by()))


@pytest.mark.parametrize("act", ["reject", "revoke"])
def test_rejecting_and_revoking_need_a_reason(act: str) -> None:
    decision = in_status(DecisionStatus.PROPOSED if act == "reject" else DecisionStatus.ADOPTED)
    refuses(decision, BlankTextError, lambda: getattr(decision, act)("  ", by()))
