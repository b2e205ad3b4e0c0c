"""Any sequence of leaves, returns and handovers on a staff record, and of follow-ups on an
issue: the model says which commands the domain accepts, and the log always rebuilds the state."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.staff import StaffMember, StaffStatus
from tests.unit.builders import TODAY, by
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, texts
from tests.unit.test_issue_lifecycle import IssueLifecycle

days = st.integers(min_value=-400, max_value=400)


class StaffLifecycle(AggregateLifecycle):
    aggregate: StaffMember

    @initialize(first=st.sampled_from(["leave", "departure"]))
    def first_record(self, first: str) -> None:
        if first == "leave":
            staff = StaffMember.go_on_leave(
                municipality="0561",
                user_id="karin.berg",
                starts_on=TODAY,
                ends_on=None,
                note="Föräldraledig.",
                by=by(),
            )
            self.status = StaffStatus.ON_LEAVE
        else:
            staff = StaffMember.depart(
                municipality="0561",
                user_id="karin.berg",
                to_user="olle.ek",
                note="Slutar; allt i diariet.",
                issue_ids=[],
                task_force_ids=[],
                by=by(),
            )
            self.status = StaffStatus.DEPARTED
        self.start(staff)

    @rule(length=st.one_of(st.none(), days), note=texts)
    def start_leave(self, length: int | None, note: str) -> None:
        ends_on = None if length is None else TODAY + timedelta(days=length)
        legal = (
            self.status == StaffStatus.ACTIVE
            and not blank(note)
            and (ends_on is None or ends_on >= TODAY)
        )
        if self.attempt(legal, lambda: self.aggregate.start_leave(TODAY, ends_on, note, by())):
            self.status = StaffStatus.ON_LEAVE

    @rule(note=texts)
    def end_leave(self, note: str) -> None:
        legal = self.status != StaffStatus.ACTIVE and not blank(note)
        if self.attempt(legal, lambda: self.aggregate.end_leave(note, by())):
            self.status = StaffStatus.ACTIVE

    @rule(note=texts)
    def hand_over(self, note: str) -> None:
        legal = not blank(note)
        if self.attempt(
            legal, lambda: self.aggregate.hand_over_again("lisa.holm", note, [], [], by())
        ):
            self.status = StaffStatus.DEPARTED

    def teardown(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.status == self.status
            assert (self.aggregate.leave is not None) == (self.status == StaffStatus.ON_LEAVE)


class IssueWithFollowUpsLifecycle(IssueLifecycle):
    """The issue's lifecycle, with follow-ups set and cleared in between."""

    @rule(day=days, note=texts)
    def set_follow_up(self, day: int, note: str) -> None:
        due_on = TODAY + timedelta(days=day)
        legal = self.is_open and not blank(note)
        if self.attempt(legal, lambda: self.aggregate.set_follow_up(due_on, note, by())):
            self.follow_up = due_on

    @rule()
    def clear_follow_up(self) -> None:
        legal = getattr(self, "follow_up", None) is not None
        if self.attempt(legal, lambda: self.aggregate.clear_follow_up(by())):
            self.follow_up = None

    def teardown(self) -> None:
        super().teardown()
        if hasattr(self, "aggregate"):
            held = self.aggregate.follow_up
            assert (held or {}).get("due_on") == getattr(self, "follow_up", None)


StaffLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestStaffLifecycle = StaffLifecycle.TestCase
IssueWithFollowUpsLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestIssueWithFollowUpsLifecycle = IssueWithFollowUpsLifecycle.TestCase
