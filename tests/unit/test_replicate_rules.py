"""Replicating a model in the domain: another locality, a copy without people, both sides."""

from __future__ import annotations

import pytest

from domain.errors import CrossRecordError
from tests.unit.builders import an_issue, by

MUNICIPALITY = {"organisation": "Söderhamn", "kind": "municipality"}
MODEL = [{"name": "Arbetsgrupp", "mandate": "Ta fram en servicepunkt.", "member_roles": ["kassör"]}]


def test_a_replica_is_opened_elsewhere_and_the_model_records_it() -> None:
    model = an_issue(locality="Trönö")
    replica = model.replicate("Bergvik", None, MODEL, MUNICIPALITY, by(), "2184-2026/0002")
    assert (replica.locality, replica.description, replica.category) == (
        "Bergvik",
        model.description,
        model.category,
    )
    assert replica.modelled_on is not None and replica.modelled_on["task_forces"] == MODEL
    assert model.replicas == [{"issue_id": str(replica.id), "locality": "Bergvik"}]
    assert len(model.collect_events()) == 2 and len(replica.collect_events()) == 1


def test_a_replica_in_the_same_locality_is_refused() -> None:
    with pytest.raises(CrossRecordError):
        an_issue(locality="Trönö").replicate(
            " trönö ", None, [], MUNICIPALITY, by(), "2184-2026/0002"
        )
