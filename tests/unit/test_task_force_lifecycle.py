"""Any sequence of commands on a task force: the lead stays a member, members keep joining order,
a finished task force is final, an illegal command records nothing, and the log rebuilds it."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from domain.task_force import TaskForce
from domain.values import TaskForceStatus
from tests.unit.builders import a_task_force, by, days
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, texts

STRANGER = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
people = st.sampled_from(
    [("Lars Ek", "Falerums byalag"), ("Maria Sund", "ICA Falerum"), ("Olle Berg", "Trönö IF")]
)
picks = st.integers(min_value=0, max_value=20)


class TaskForceLifecycle(AggregateLifecycle):
    aggregate: TaskForce

    @initialize()
    def form(self) -> None:
        self.start(a_task_force(due_on=days(30)))
        self.members = [self.aggregate.lead]
        self.people = {self.aggregate.lead: ("Karin Berg", "Åtvidabergs kommun")}
        self.lead = self.aggregate.lead
        self.departed: list[str] = []
        self.due = days(30)
        self.status = TaskForceStatus.ACTIVE

    @property
    def active(self) -> bool:
        return self.status == TaskForceStatus.ACTIVE

    def someone(self, pick: int) -> str:
        """A current member, a former member, or someone who never joined."""
        candidates = [*self.members, *self.departed, STRANGER]
        return candidates[pick % len(candidates)]

    @rule(person=people)
    def add_member(self, person: tuple[str, str]) -> None:
        joined: list[str] = []
        name, organisation = person
        namesake = person in [self.people[m] for m in self.members]  # the same person twice
        if self.attempt(
            self.active and not namesake,
            lambda: joined.append(self.aggregate.add_member(name, organisation, "medlem", by())),
        ):
            assert joined[0] not in [*self.members, *self.departed]
            self.members.append(joined[0])
            self.people[joined[0]] = person

    @rule(pick=picks)
    def remove_member(self, pick: int) -> None:
        member = self.someone(pick)
        legal = self.active and member in self.members and member != self.lead
        if self.attempt(legal, lambda: self.aggregate.remove_member(member, by())):
            self.members.remove(member)
            self.departed.append(member)

    @rule(pick=picks, note=texts)
    def hand_over(self, pick: int, note: str) -> None:
        member = self.someone(pick)
        legal = self.active and member in self.members and member != self.lead and not blank(note)
        if self.attempt(legal, lambda: self.aggregate.hand_over_lead(member, note, by())):
            self.lead = member

    @rule(shift=st.integers(min_value=-5, max_value=30), reason=texts)
    def extend(self, shift: int, reason: str) -> None:
        new_due = self.due + timedelta(days=shift)
        legal = self.active and shift > 0 and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.extend_mandate(new_due, reason, by())):
            self.due = new_due

    @rule(text=texts)
    def report_progress(self, text: str) -> None:
        legal = self.active and not blank(text)
        self.attempt(legal, lambda: self.aggregate.report_progress(text, by()))

    @rule(summary=texts)
    def complete(self, summary: str) -> None:
        legal = self.active and not blank(summary)
        if self.attempt(legal, lambda: self.aggregate.complete(summary, by())):
            self.status = TaskForceStatus.COMPLETED

    @rule(reason=texts)
    def disband(self, reason: str) -> None:
        legal = self.active and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.disband(reason, by())):
            self.status = TaskForceStatus.DISBANDED

    @invariant()
    def the_lead_is_always_a_member_and_members_keep_joining_order(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.lead == self.lead
            assert self.lead in self.aggregate.members
            assert list(self.aggregate.members) == self.members
            assert (self.aggregate.status, self.aggregate.due_on) == (self.status, self.due)


TaskForceLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestTaskForceLifecycle = TaskForceLifecycle.TestCase
