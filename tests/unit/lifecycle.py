"""What every aggregate's state machine checks: a legal command records exactly one event, an
illegal one raises a domain error and records nothing, and replaying the log rebuilds the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant

from domain.errors import DomainRuleError
from tests.unit.builders import state_of

LIFECYCLE_SETTINGS = settings(
    max_examples=50,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

REAL_TEXT = [
    "Möte med byalaget i Falerum om butikens framtid.",
    "Samtal med handlaren i Trönö.",
    "Platsbesök i Gårdby med kommunens bygdelots.",
]
texts = st.sampled_from([*REAL_TEXT, "", "   ", "\n\t"])


def blank(text: str) -> bool:
    return not text.strip()


class AggregateLifecycle(RuleBasedStateMachine):
    """Holds one aggregate and the log of every event it has recorded so far."""

    aggregate: Aggregate

    def __init__(self) -> None:
        super().__init__()
        self.log: list[Any] = []

    def start(self, aggregate: Aggregate) -> None:
        self.aggregate = aggregate
        self.log.extend(aggregate.collect_events())
        assert len(self.log) == 1

    def attempt(self, legal: bool, command: Callable[[], object]) -> bool:
        """Run a command, which the model says the domain must accept or refuse."""
        version, before = self.aggregate.version, state_of(self.aggregate)
        try:
            command()
        except DomainRuleError:
            assert not legal, "the domain refused a legal command"
            assert self.aggregate.collect_events() == []
            assert self.aggregate.version == version
            assert state_of(self.aggregate) == before
            return False
        assert legal, "the domain accepted an illegal command"
        recorded = self.aggregate.collect_events()
        assert len(recorded) == 1
        assert self.aggregate.version == version + 1
        self.log.extend(recorded)
        return True

    @invariant()
    def replaying_the_log_gives_the_same_state(self) -> None:
        if not self.log:
            return
        rebuilt = replay(self.log)
        assert state_of(rebuilt) == state_of(self.aggregate)


def replay(events: list[Any]) -> Aggregate:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert aggregate is not None
    return aggregate
