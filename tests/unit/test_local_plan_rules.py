"""The local plan's rules: at least one goal, each with text, a year in range, one event."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from domain.errors import BlankTextError, DomainRuleError
from domain.local_plan import LocalPlan
from tests.unit.builders import by


def a_plan(**overrides: Any) -> LocalPlan:
    fields: dict[str, Any] = {
        "municipality": "1081",
        "locality": "Kallinge",
        "year": 2025,
        "title": "Handlingsplan Kallinge 2025",
        "goals": [{"text": "En mötesplats i byn.", "issue_ids": [uuid4()]}],
        **overrides,
    }
    return LocalPlan.adopt(by=by(municipality="1081"), **fields)


def test_a_plan_is_adopted_with_its_goals_in_one_event() -> None:
    plan = a_plan()
    assert plan.status == "adopted" and len(plan.collect_events()) == 1
    assert isinstance(plan.goals[0]["issue_ids"][0], str)


def test_a_plan_for_the_whole_municipality_has_no_locality() -> None:
    assert a_plan(locality=None).locality is None


def test_a_plan_has_a_goal() -> None:
    with pytest.raises(DomainRuleError):
        a_plan(goals=[])


def test_a_goal_has_text() -> None:
    with pytest.raises(BlankTextError):
        a_plan(goals=[{"text": " ", "issue_ids": []}])


@pytest.mark.parametrize("year", [1899, 2101])
def test_a_year_is_in_range(year: int) -> None:
    with pytest.raises(DomainRuleError):
        a_plan(year=year)


def test_a_goal_names_each_issue_once() -> None:
    issue = uuid4()
    plan = a_plan(goals=[{"text": "En mötesplats.", "issue_ids": [issue, str(issue).upper()]}])
    assert plan.goals[0]["issue_ids"] == [str(issue)]
