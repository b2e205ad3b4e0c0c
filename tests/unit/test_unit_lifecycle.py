"""Any sequence of contacts added to a unit: each needs a name and a role, gets its own id, the
contacts stay in the order they were added, and the log rebuilds the state."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from domain.unit import Unit
from domain.values import Category
from tests.unit.builders import by
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank

categories = st.lists(st.sampled_from([str(c) for c in Category]), max_size=5)
names = st.sampled_from(["Eva Sjö", "Per Ek", "Kommunens bygdelots", "", " \t"])
roles = st.sampled_from(["gatuchef", "näringslivsutvecklare", "", "\n"])
emails = st.sampled_from([None, "eva.sjo@falun.se"])
phones = st.sampled_from([None, "023-830 00"])


class UnitLifecycle(AggregateLifecycle):
    aggregate: Unit

    @initialize(answers_for=categories)
    def register(self, answers_for: list[str]) -> None:
        self.start(
            Unit.register(
                municipality="2080",
                name="Tekniska förvaltningen",
                categories=answers_for,
                by=by(municipality="2080"),
            )
        )
        self.categories = sorted(set(answers_for))
        self.model: list[tuple[str, str]] = []

    @rule(display_name=names, role=roles, email=emails, phone=phones)
    def add_contact(
        self, display_name: str, role: str, email: str | None, phone: str | None
    ) -> None:
        legal = not blank(display_name) and not blank(role)
        added: list[str] = []
        if self.attempt(
            legal,
            lambda: added.append(
                self.aggregate.add_contact(display_name, role, email, phone, by())
            ),
        ):
            assert added[0] not in {contact_id for contact_id, _ in self.model}
            self.model.append((added[0], display_name))

    @invariant()
    def the_unit_answers_for_what_it_was_registered_for(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.categories == self.categories

    @invariant()
    def contacts_are_kept_in_the_order_they_were_added(self) -> None:
        if hasattr(self, "aggregate"):
            contacts = self.aggregate.contacts
            assert [(k, v["display_name"]) for k, v in contacts.items()] == self.model


UnitLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestUnitLifecycle = UnitLifecycle.TestCase
