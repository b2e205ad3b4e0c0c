"""The dialogue cycle (årshjul) in the domain: intervals and when the next dialogue is due."""

from __future__ import annotations

from datetime import date

import pytest

from domain.dialogue_plan import DialoguePlan, add_months, dialogue_plan_id, next_dialogue_due
from domain.values import Actor, Provenance, Role

BY = Provenance(Actor("anna.lind", Role.CASEWORKER, "2182"), "cmd-1", "corr-1")


def tronö_plan(every_months: int = 4) -> DialoguePlan:
    return DialoguePlan.plan(
        municipality="2182",
        locality="Trönö",
        every_months=every_months,
        partner="Trönö bygdeförening",
        starts_on=date(2024, 1, 15),
        by=BY,
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 15), 4, date(2024, 5, 15)),
        (date(2024, 10, 31), 4, date(2025, 2, 28)),
        (date(2023, 12, 1), 1, date(2024, 1, 1)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
    ],
)
def test_months_are_added_on_the_calendar(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_the_first_dialogue_is_due_on_the_plans_first_day() -> None:
    assert tronö_plan().next_due(None) == date(2024, 1, 15)
    assert tronö_plan().next_due(date(2023, 11, 2)) == date(2024, 1, 15)


def test_later_dialogues_are_due_one_interval_after_the_latest() -> None:
    assert tronö_plan().next_due(date(2024, 2, 10)) == date(2024, 6, 10)
    assert next_dialogue_due(date(2024, 1, 1), 12, date(2024, 3, 1)) == date(2025, 3, 1)


def test_one_plan_per_locality_and_municipality() -> None:
    assert tronö_plan().id == dialogue_plan_id("2182", "Trönö")
    assert dialogue_plan_id("2182", "Trönö") != dialogue_plan_id("0561", "Trönö")


def test_a_replan_changes_the_interval_and_partner() -> None:
    plan = tronö_plan()
    plan.replan(6, "Trönö byalag", date(2024, 3, 1), BY)
    assert (plan.version, plan.every_months, plan.partner) == (2, 6, "Trönö byalag")


@pytest.mark.parametrize("months", [0, 25])
def test_an_interval_lies_between_one_and_24_months(months: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 24"):
        tronö_plan(months)
