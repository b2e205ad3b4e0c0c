"""Any sequence of plans adopted for localities and years: the model says which ones the domain
accepts; an accepted plan is one event with its goals as given (each issue once, its id as text),
a refused one
records nothing, and each plan's log rebuilds it."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from domain.errors import DomainRuleError
from domain.local_plan import LocalPlan
from tests.unit.builders import by, state_of
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, replay, texts

ISSUES = [uuid4() for _ in range(3)]
years = st.sampled_from([1899, 1900, 2025, 2100, 2101])
titles = st.sampled_from(["Handlingsplan Kallinge 2025", "Lokal utvecklingsplan Mora", "", " "])
localities = st.sampled_from([None, "Kallinge", "Våmhus"])
issue_ids = st.lists(st.sampled_from([*ISSUES, *map(str, ISSUES)]), max_size=3)
goals = st.lists(st.fixed_dictionaries({"text": texts, "issue_ids": issue_ids}), max_size=3)


class LocalPlanLifecycle(AggregateLifecycle):
    """Each step adopts one more plan; every plan adopted so far must still replay from its log."""

    aggregate: LocalPlan

    def __init__(self) -> None:
        super().__init__()
        self.adopted: list[tuple[LocalPlan, list[Any], dict[str, Any]]] = []

    @rule(locality=localities, year=years, title=titles, goals=goals)
    def adopt(self, locality: str | None, year: int, title: str, goals: list[Any]) -> None:
        legal = (
            bool(goals)
            and 1900 <= year <= 2100
            and not blank(title)
            and not any(blank(g["text"]) for g in goals)
        )
        try:
            plan = LocalPlan.adopt(
                municipality="1081",
                locality=locality,
                year=year,
                title=title,
                goals=goals,
                by=by(municipality="1081"),
            )
        except DomainRuleError:
            assert not legal, "the domain refused a legal plan"
            return
        assert legal, "the domain adopted an illegal plan"
        events = plan.collect_events()
        assert len(events) == 1 and plan.version == 1
        # a goal names each issue once, however often the body repeated it
        assert plan.goals == [
            {"text": g["text"], "issue_ids": list(dict.fromkeys(str(i) for i in g["issue_ids"]))}
            for g in goals
        ]
        assert all(isinstance(i, str) for g in plan.goals for i in g["issue_ids"])
        self.adopted.append((plan, events, state_of(plan)))

    @invariant()
    def every_plan_replays_from_its_log_and_stays_as_adopted(self) -> None:
        for plan, events, adopted in self.adopted:
            assert state_of(plan) == adopted
            assert state_of(replay(events)) == adopted
            UUID(str(plan.id))


LocalPlanLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestLocalPlanLifecycle = LocalPlanLifecycle.TestCase
