"""Vetlanda's rule in the domain: a decision's service impact is effects, or none expected."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import DomainRuleError
from tests.unit.builders import a_decision

EFFECT = {"locality": "Falerum", "service_kind": "groceries", "effect": "negative"}


def test_a_decision_keeps_its_service_impact() -> None:
    impact = {"effects": [EFFECT]}
    assert a_decision(service_impact=impact).service_impact == impact
    assert a_decision().service_impact is None


def test_none_expected_needs_a_note() -> None:
    note = {"none_expected": True, "note": "Gäller bara kommunhuset."}
    assert a_decision(service_impact=note).service_impact == note
    with pytest.raises(DomainRuleError):
        a_decision(service_impact={"none_expected": True, "note": " "})


@pytest.mark.parametrize(
    "impact",
    [
        {"effects": []},
        {"effects": [{**EFFECT, "effect": "great"}]},
        {"effects": [{**EFFECT, "locality": ""}]},
        {"none_expected": True, "note": "x", "effects": [EFFECT]},
    ],
)
def test_a_malformed_impact_is_refused(impact: dict[str, Any]) -> None:
    with pytest.raises(DomainRuleError):
        a_decision(service_impact=impact)
