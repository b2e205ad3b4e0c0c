"""Any sequence of commands on a locality: services open and close, a closing is final and is
never a deletion, a service cannot close before it opened, and the log rebuilds the state."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.locality import CLOSED, OPEN, Locality
from tests.unit.builders import by
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, texts

GRÄNDSJÖ = {
    "municipality": "2161",
    "name": "Grändsjö",
    "kind": "by",
    "population": 48,
    "latitude": 61.98,
    "longitude": 15.62,
}
kinds = st.sampled_from(["groceries", "fuel", "parcel_pickup", "pharmacy_agent", "bogus"])
names = st.sampled_from(["Handlar'n i Grändsjö", "OKQ8", "", " "])
days = st.sampled_from([None, date(2019, 5, 1), date(2022, 3, 1), date(2024, 8, 31)])
closing_days = st.sampled_from([date(2018, 1, 1), date(2022, 3, 1), date(2025, 1, 31)])


class LocalityLifecycle(AggregateLifecycle):
    aggregate: Locality

    @initialize()
    def register(self) -> None:
        self.start(Locality.register(by=by(municipality="2161"), **GRÄNDSJÖ))
        self.model: dict[str, dict[str, object]] = {}

    @rule(kind=kinds, name=names, opened_on=days)
    def record_service(self, kind: str, name: str, opened_on: date | None) -> None:
        legal = kind != "bogus" and not blank(name)
        made: list[str] = []
        if self.attempt(
            legal,
            lambda: made.append(self.aggregate.record_service(kind, name, None, opened_on, by())),
        ):
            self.model[made[0]] = {"status": OPEN, "opened_on": opened_on}

    @rule(pick=st.integers(0, 5), closed_on=closing_days, reason=texts)
    def close_service(self, pick: int, closed_on: date, reason: str) -> None:
        ids = [*self.model, "3f0a9a4e-0000-4000-8000-000000000000"]
        service_id = ids[pick % len(ids)]
        service = self.model.get(service_id)
        opened_on = service and service["opened_on"]
        legal = (
            service is not None
            and service["status"] == OPEN
            and not (isinstance(opened_on, date) and closed_on < opened_on)
            and not blank(reason)
        )
        if self.attempt(
            legal, lambda: self.aggregate.close_service(service_id, closed_on, reason, by())
        ):
            self.model[service_id]["status"] = CLOSED

    def teardown(self) -> None:
        if hasattr(self, "aggregate"):
            statuses = {k: v["status"] for k, v in self.aggregate.services.items()}
            assert statuses == {k: v["status"] for k, v in self.model.items()}


LocalityLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestLocalityLifecycle = LocalityLifecycle.TestCase
