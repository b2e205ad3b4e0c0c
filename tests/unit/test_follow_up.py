"""Follow-ups (bevakning) on an issue: set, replaced, cleared, and the recording clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain import clock
from domain.errors import BlankTextError, RecordNotOpenError
from domain.issue import Issue
from domain.values import Actor, Provenance, Role

BY = Provenance(Actor("anna.lind", Role.CASEWORKER, "0561"), "cmd-1", "corr-1")


def falerum_issue() -> Issue:
    return Issue.open(
        by=BY,
        municipality="0561",
        locality="Falerum",
        title="Butiken i Falerum",
        description="Byalaget oroar sig.",
        category="groceries",
        raised_by={"organisation": "Falerums byalag", "kind": "village_association"},
        parent_id=None,
    )


def test_a_follow_up_may_lie_in_the_past_and_a_new_one_replaces_it() -> None:
    issue = falerum_issue()
    issue.set_follow_up(date(2020, 1, 1), "Kolla om butiken fått bidrag.", BY)
    issue.set_follow_up(date(2031, 6, 1), "Ny kontroll efter sommaren.", BY)
    assert issue.follow_up is not None
    assert (issue.follow_up["due_on"], issue.follow_up["set_by"]) == (date(2031, 6, 1), "anna.lind")


def test_clearing_removes_it_and_clearing_nothing_is_refused() -> None:
    issue = falerum_issue()
    issue.set_follow_up(date(2025, 3, 1), "Ring ordföranden.", BY)
    issue.clear_follow_up(BY)
    cleared = issue.collect_events()[-1]
    assert issue.follow_up is None
    assert isinstance(cleared, Issue.FollowUpCleared) and cleared.due_on == date(2025, 3, 1)
    with pytest.raises(RecordNotOpenError):
        issue.clear_follow_up(BY)


def test_a_follow_up_needs_an_open_issue_and_a_note() -> None:
    issue = falerum_issue()
    with pytest.raises(BlankTextError):
        issue.set_follow_up(date(2025, 3, 1), "  ", BY)
    issue.close("Dubblett.", BY)
    with pytest.raises(RecordNotOpenError):
        issue.set_follow_up(date(2025, 3, 1), "Ring.", BY)


def test_an_injected_clock_stamps_events_and_today_and_only_inside_its_block() -> None:
    then = datetime(2022, 9, 13, 10, 30, tzinfo=UTC)
    with clock.recording_at(then):
        issue = falerum_issue()
        assert clock.today() == date(2022, 9, 13)
    issue.set_follow_up(date(2022, 10, 1), "Ring.", BY)
    opened, followed = issue.collect_events()
    assert opened.timestamp == then
    assert followed.timestamp.date() == datetime.now(UTC).date()
    assert clock.today() == datetime.now(UTC).date()


def test_an_injected_instant_must_name_its_time_zone() -> None:
    with pytest.raises(ValueError), clock.recording_at(datetime(2022, 9, 13, 10, 30)):
        pass
