"""Issue rules from domain.md: only an open issue changes, reopening is the exception, and a
split leaves one event on the parent and an `Opened` child in the parent's municipality."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import BlankTextError, RecordNotOpenError
from domain.issue import Issue
from domain.values import IssueStatus
from tests.unit.builders import SÖDERHAMN, TODAY, an_issue, by, refuses, saved

CHANGES: dict[str, Callable[[Issue], object]] = {
    "edit": lambda issue: issue.edit({"title": "Ny rubrik"}, by()),
    "assign": lambda issue: issue.assign_responsibility(
        "Näringslivsenheten", "bygdelots", None, by()
    ),
    "note": lambda issue: issue.add_note("meeting", "Möte med byalaget.", TODAY, True, by()),
    "split": lambda issue: issue.split_off("Drivmedel i Falerum", "Macken.", "fuel", by()),
    "resolve": lambda issue: issue.resolve("Servicepunkt inrättad.", by()),
    "close": lambda issue: issue.close("Butiken fick en ny ägare.", by()),
}


def resolved_issue() -> Issue:
    issue = an_issue()
    issue.resolve("Servicepunkt inrättad.", by())
    return issue


def closed_issue() -> Issue:
    issue = an_issue()
    issue.close("Frågan drogs tillbaka av byalaget.", by())
    return issue


FINISHED = {"resolved": resolved_issue, "closed": closed_issue}


def test_opening_records_one_opened_event_with_the_fields() -> None:
    issue = an_issue(locality="Falerum")
    (opened,) = issue.collect_events()
    assert isinstance(opened, Issue.Opened)
    assert (issue.version, issue.status, issue.locality) == (1, IssueStatus.OPEN, "Falerum")
    assert issue.raised_by == {"organisation": "Falerums byalag", "kind": "village_association"}
    assert (issue.parent_id, issue.child_ids, issue.responsibility) == (None, [], None)


def test_an_issue_needs_a_title() -> None:
    with pytest.raises(BlankTextError):
        an_issue(title="   ")


@pytest.mark.parametrize("change", CHANGES)
def test_an_open_issue_accepts_each_change_as_exactly_one_event(change: str) -> None:
    issue = saved(an_issue())
    CHANGES[change](issue)
    assert len(issue.collect_events()) == 1
    assert issue.version == 2


@pytest.mark.parametrize("status", FINISHED)
@pytest.mark.parametrize("change", CHANGES)
def test_only_an_open_issue_accepts_changes(status: str, change: str) -> None:
    issue = FINISHED[status]()
    refuses(issue, RecordNotOpenError, lambda: CHANGES[change](issue))


@pytest.mark.parametrize("status", FINISHED)
def test_a_resolved_or_closed_issue_can_be_reopened(status: str) -> None:
    issue = saved(FINISHED[status]())
    issue.reopen("Butiken har åter varslat om stängning.", by())
    (reopened,) = issue.collect_events()
    assert isinstance(reopened, Issue.Reopened)
    assert issue.status == IssueStatus.OPEN
    issue.add_note("phone", "Samtal med butiksägaren.", TODAY, False, by())  # open again


def test_an_open_issue_cannot_be_reopened() -> None:
    issue = an_issue()
    refuses(issue, RecordNotOpenError, lambda: issue.reopen("Varför inte?", by()))


def test_reopening_needs_a_reason() -> None:
    issue = closed_issue()
    refuses(issue, BlankTextError, lambda: issue.reopen(" ", by()))


def test_resolving_needs_a_summary() -> None:
    issue = an_issue()
    refuses(issue, BlankTextError, lambda: issue.resolve("", by()))
    assert issue.status == IssueStatus.OPEN


def test_closing_needs_a_reason() -> None:
    issue = an_issue()
    refuses(issue, BlankTextError, lambda: issue.close("\t", by()))


def test_a_note_needs_text() -> None:
    issue = an_issue()
    refuses(issue, BlankTextError, lambda: issue.add_note("dialogue", " ", TODAY, True, by()))


def test_resolved_and_closed_are_recorded_as_their_own_statuses() -> None:
    assert resolved_issue().status == IssueStatus.RESOLVED
    assert closed_issue().status == IssueStatus.CLOSED


def test_editing_changes_only_the_named_fields() -> None:
    issue = an_issue()
    issue.edit({"title": "Butiken i Falerum stänger i juni", "category": "cash_services"}, by())
    assert (issue.title, issue.category) == ("Butiken i Falerum stänger i juni", "cash_services")
    assert issue.locality == "Falerum"


def test_responsibility_sits_with_a_unit_and_role_and_optionally_a_person() -> None:
    issue = an_issue()
    issue.assign_responsibility("Samhällsbyggnad", "landsbygdsutvecklare", None, by())
    assert issue.responsibility == {
        "unit": "Samhällsbyggnad",
        "role": "landsbygdsutvecklare",
        "user_id": None,
    }
    issue.assign_responsibility("Samhällsbyggnad", "bygdelots", "erik.holm", by())
    assert issue.responsibility["user_id"] == "erik.holm"  # type: ignore[index]


def test_notes_do_not_grow_the_aggregate() -> None:
    issue = an_issue()
    before = set(vars(issue))
    for day in range(20):
        issue.add_note("dialogue", f"Byalagsmöte {day}.", TODAY, True, by())
    assert set(vars(issue)) == before
    assert issue.version == 21


def test_a_split_records_one_event_on_the_parent_and_the_childs_opened() -> None:
    parent = saved(an_issue())
    child = parent.split_off("Drivmedel i Falerum", "Macken behöver en ny ägare.", "fuel", by())
    (split,) = parent.collect_events()
    (opened,) = child.collect_events()
    assert isinstance(split, Issue.SubIssueSplitOff) and split.child_id == child.id
    assert isinstance(opened, Issue.Opened) and opened.parent_id == parent.id
    assert parent.child_ids == [child.id]
    assert (child.parent_id, child.version, child.status) == (parent.id, 1, IssueStatus.OPEN)
    assert (child.title, child.category) == ("Drivmedel i Falerum", "fuel")


def test_a_child_belongs_to_the_parents_municipality() -> None:
    parent = an_issue(municipality=SÖDERHAMN, locality="Trönö")
    child = parent.split_off("Paketutlämning i Trönö", "Ombudet slutar.", None, by())
    assert child.municipality == SÖDERHAMN
    assert (child.locality, child.category, child.raised_by) == (
        "Trönö",
        parent.category,
        parent.raised_by,
    )


def test_each_split_adds_its_child_in_order() -> None:
    parent = an_issue()
    first = parent.split_off("Drivmedel", "Macken.", "fuel", by())
    second = parent.split_off("Paket", "Ombudet.", "parcel_pickup", by())
    assert parent.child_ids == [first.id, second.id]


def test_a_split_with_a_blank_title_records_nothing_on_the_parent() -> None:
    parent = an_issue()
    refuses(parent, BlankTextError, lambda: parent.split_off(" ", "Macken.", None, by()))
    assert parent.child_ids == []
