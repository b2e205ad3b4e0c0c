"""Units and contacts in the domain: known categories, named contacts, one event each."""

from __future__ import annotations

import pytest

from domain.errors import BlankTextError, DomainRuleError
from domain.unit import Unit
from tests.unit.builders import by


def a_unit(*categories: str) -> Unit:
    return Unit.register(
        municipality="2080",
        name="Tekniska förvaltningen",
        categories=list(categories),
        by=by(municipality="2080"),
    )


def test_a_unit_answers_for_issue_categories_only() -> None:
    assert a_unit("fuel", "groceries", "fuel").categories == ["fuel", "groceries"]
    with pytest.raises(DomainRuleError):
        a_unit("bowling")


def test_a_contact_is_added_with_its_own_id() -> None:
    unit = a_unit("fuel")
    first = unit.add_contact("Eva Sjö", "gatuchef", "eva@falun.se", None, by())
    second = unit.add_contact("Per Ek", "handläggare", None, "023-83000", by())
    assert first != second and list(unit.contacts) == [first, second]


def test_a_contact_has_a_name_and_a_role() -> None:
    with pytest.raises(BlankTextError):
        a_unit().add_contact(" ", "gatuchef", None, None, by())
    with pytest.raises(BlankTextError):
        a_unit().add_contact("Eva Sjö", "", None, None, by())
