"""Any sequence of commands on a decision: adopt or reject only when proposed, revoke or
supersede only when adopted and only by an adopted decision of the same issue."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.decision import Decision
from domain.values import DecisionStatus
from tests.unit.builders import TODAY, a_decision, by
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, texts

ISSUE, OTHER_ISSUE = uuid4(), uuid4()
SUCCESSOR_STATUSES = [
    DecisionStatus.PROPOSED,
    DecisionStatus.ADOPTED,
    DecisionStatus.REJECTED,
    DecisionStatus.REVOKED,
]


def successor(same_issue: bool, status: DecisionStatus) -> Decision:
    decision = a_decision(ISSUE if same_issue else OTHER_ISSUE)
    if status == DecisionStatus.REJECTED:
        decision.reject("Nej.", by())
    elif status != DecisionStatus.PROPOSED:
        decision.adopt(TODAY, None, by())
    if status == DecisionStatus.REVOKED:
        decision.revoke("Upphävt.", by())
    assert decision.status == status
    return decision


class DecisionLifecycle(AggregateLifecycle):
    aggregate: Decision

    @initialize()
    def propose(self) -> None:
        self.start(a_decision(ISSUE))
        self.status = DecisionStatus.PROPOSED

    @rule(reference=st.sampled_from([None, "KS 2024/112", "KF §45"]))
    def adopt(self, reference: str | None) -> None:
        legal = self.status == DecisionStatus.PROPOSED
        if self.attempt(legal, lambda: self.aggregate.adopt(TODAY, reference, by())):
            self.status = DecisionStatus.ADOPTED

    @rule(reason=texts)
    def reject(self, reason: str) -> None:
        legal = self.status == DecisionStatus.PROPOSED and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.reject(reason, by())):
            self.status = DecisionStatus.REJECTED

    @rule(reason=texts)
    def revoke(self, reason: str) -> None:
        legal = self.status == DecisionStatus.ADOPTED and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.revoke(reason, by())):
            self.status = DecisionStatus.REVOKED

    @rule(same_issue=st.booleans(), status=st.sampled_from(SUCCESSOR_STATUSES))
    def supersede(self, same_issue: bool, status: DecisionStatus) -> None:
        other = successor(same_issue, status)
        legal = (
            self.status == DecisionStatus.ADOPTED
            and same_issue
            and status == DecisionStatus.ADOPTED
        )
        if self.attempt(legal, lambda: self.aggregate.supersede(other, by())):
            self.status = DecisionStatus.SUPERSEDED
            assert self.aggregate.superseded_by == other.id

    @rule()
    def supersede_by_itself(self) -> None:
        self.attempt(False, lambda: self.aggregate.supersede(self.aggregate, by()))

    def teardown(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.status == self.status


DecisionLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestDecisionLifecycle = DecisionLifecycle.TestCase
