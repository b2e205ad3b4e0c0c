"""Staff handovers in the domain: the departed user's record and the moves it makes."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.errors import BlankTextError, DeadlineError, RecordNotOpenError
from domain.issue import Issue
from domain.staff import StaffMember, staff_member_id
from domain.task_force import TaskForce
from domain.values import Actor, Provenance, Role

TODAY = date(2024, 3, 1)
BY = Provenance(Actor("anna.lind", Role.CASEWORKER, "0561"), "cmd-1", "corr-1")


def falerum_issue() -> Issue:
    issue = Issue.open(
        by=BY,
        municipality="0561",
        locality="Falerum",
        title="Butiken i Falerum",
        description="Byalaget oroar sig.",
        category="groceries",
        raised_by={"organisation": "Falerums byalag", "kind": "village_association"},
        parent_id=None,
    )
    issue.assign_responsibility("Näringslivsenheten", "utvecklingsstrateg", "karin.berg", BY)
    return issue


def task_force_led_by(user_id: str | None) -> TaskForce:
    lead = {"display_name": "Karin Berg", "organisation": "Åtvidabergs kommun", "role": "lead"}
    if user_id:
        lead["user_id"] = user_id
    return TaskForce.form(
        issue_id=uuid4(),
        municipality="0561",
        name="Insatsstyrka Falerum",
        mandate="Ta fram en servicepunkt.",
        due_on=TODAY + timedelta(days=30),
        lead=lead,
        today=TODAY,
        by=BY,
    )


def test_the_staff_record_is_keyed_by_municipality_and_user() -> None:
    assert staff_member_id("0561", "karin.berg") == staff_member_id("0561", "karin.berg")
    assert staff_member_id("0561", "karin.berg") != staff_member_id("2182", "karin.berg")


def test_a_departure_records_where_the_work_went() -> None:
    moved = [uuid4(), uuid4()]
    staff = StaffMember.depart(
        municipality="0561",
        user_id="karin.berg",
        to_user="olle.ek",
        note="Kontakterna finns i diariet.",
        issue_ids=moved,
        task_force_ids=[],
        by=BY,
    )
    assert (staff.id, staff.status, staff.handed_over_to) == (
        staff_member_id("0561", "karin.berg"),
        "departed",
        "olle.ek",
    )
    assert staff.moved == (2, 0)
    staff.hand_over_again("lisa.holm", "Ett ärende till hittades.", [uuid4()], [uuid4()], BY)
    assert (staff.version, staff.handed_over_to, staff.moved) == (2, "lisa.holm", (1, 1))


def test_a_departure_needs_a_note() -> None:
    with pytest.raises(BlankTextError):
        StaffMember.depart(
            municipality="0561",
            user_id="karin.berg",
            to_user="olle.ek",
            note="  ",
            issue_ids=[],
            task_force_ids=[],
            by=BY,
        )


def test_an_issue_handover_keeps_unit_and_role_and_carries_the_note() -> None:
    issue = falerum_issue()
    issue.hand_over_responsibility("olle.ek", "Byalagets ordförande heter Per.", BY)
    assert issue.responsibility == {
        "unit": "Näringslivsenheten",
        "role": "utvecklingsstrateg",
        "user_id": "olle.ek",
    }
    event = issue.collect_events()[-1]
    assert isinstance(event, Issue.ResponsibilityAssigned)
    assert event.note == "Byalagets ordförande heter Per."


def test_a_lead_handover_to_a_newcomer_lets_them_join_in_the_same_single_event() -> None:
    task_force = task_force_led_by("karin.berg")
    version = task_force.version
    task_force.hand_over_lead_to_user("olle.ek", "Mötesanteckningar i diariet.", BY)
    events = task_force.collect_events()
    assert task_force.version == version + 1  # one command, one event on the aggregate
    assert type(events[-1]).__name__ == "LeadHandedOver"
    assert events[-1].joining["user_id"] == "olle.ek"
    assert task_force.lead_user == "olle.ek"
    assert task_force.members[task_force.lead]["organisation"] == "Åtvidabergs kommun"


def test_a_lead_handover_to_a_member_reuses_their_membership() -> None:
    task_force = task_force_led_by("karin.berg")
    olle = task_force.add_member("Olle Ek", "Åtvidabergs kommun", "planerare", BY, "olle.ek")
    task_force.hand_over_lead_to_user("olle.ek", "Mötesanteckningar i diariet.", BY)
    assert task_force.lead == olle
    assert len(task_force.members) == 2


def test_members_without_a_user_id_stay_as_before() -> None:
    task_force = task_force_led_by(None)
    member = task_force.add_member("Per Ås", "Falerums byalag", "ordförande", BY)
    assert "user_id" not in task_force.members[member]
    assert task_force.lead_user is None


# Leave and return


def karin_on_leave() -> StaffMember:
    return StaffMember.go_on_leave(
        municipality="0561",
        user_id="karin.berg",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=180),
        note="Föräldraledig; Olle svarar för Falerum.",
        by=BY,
    )


def karin_departed() -> StaffMember:
    return StaffMember.depart(
        municipality="0561",
        user_id="karin.berg",
        to_user="olle.ek",
        note="Kontakterna finns i diariet.",
        issue_ids=[],
        task_force_ids=[],
        by=BY,
    )


def test_a_leave_can_open_the_staff_record() -> None:
    staff = karin_on_leave()
    assert (staff.id, staff.status, staff.handed_over_to) == (
        staff_member_id("0561", "karin.berg"),
        "on_leave",
        None,
    )
    assert staff.leave == (TODAY, TODAY + timedelta(days=180))
    assert type(staff.collect_events()[0]).__name__ == "FirstLeaveStarted"


def test_a_return_from_leave_makes_the_user_active_again() -> None:
    staff = karin_on_leave()
    staff.end_leave("Tillbaka på halvtid.", BY)
    event = staff.collect_events()[-1]
    assert (staff.status, staff.leave, staff.version) == ("active", None, 2)
    assert isinstance(event, StaffMember.Returned) and event.from_status == "on_leave"


def test_a_return_after_a_departure_is_a_rehire() -> None:
    staff = karin_departed()
    staff.end_leave("Återanställd som landsbygdsutvecklare.", BY)
    event = staff.collect_events()[-1]
    assert (staff.status, staff.has_left) == ("active", False)
    assert isinstance(event, StaffMember.Returned) and event.from_status == "departed"


def test_a_departed_user_returns_before_a_leave_and_nobody_goes_on_leave_twice() -> None:
    with pytest.raises(RecordNotOpenError, match="has left"):
        karin_departed().start_leave(TODAY, None, "Semester.", BY)
    with pytest.raises(RecordNotOpenError, match="already on leave"):
        karin_on_leave().start_leave(TODAY, None, "Semester.", BY)


def test_only_someone_on_leave_or_departed_can_return() -> None:
    staff = karin_on_leave()
    staff.end_leave("Tillbaka.", BY)
    with pytest.raises(RecordNotOpenError, match="neither on leave nor departed"):
        staff.end_leave("Tillbaka igen.", BY)


def test_a_leave_ends_on_or_after_its_start_and_carries_a_note() -> None:
    with pytest.raises(DeadlineError):
        StaffMember.go_on_leave(
            municipality="0561",
            user_id="karin.berg",
            starts_on=TODAY,
            ends_on=TODAY - timedelta(days=1),
            note="Fel datum.",
            by=BY,
        )
    staff = karin_on_leave()
    staff.end_leave("Tillbaka.", BY)
    with pytest.raises(BlankTextError):
        staff.start_leave(TODAY, None, " ", BY)


def test_someone_back_from_leave_who_then_leaves_is_departed() -> None:
    staff = karin_on_leave()
    staff.end_leave("Tillbaka.", BY)
    staff.hand_over_again("olle.ek", "Slutar; allt i diariet.", [uuid4()], [], BY)
    assert (staff.status, staff.handed_over_to, staff.moved) == ("departed", "olle.ek", (1, 0))


def test_a_departure_recorded_before_leave_existed_still_loads() -> None:
    staff = karin_departed()
    events = staff.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert (replayed.status, replayed.handed_over_to, replayed.leave) == (
        "departed",
        "olle.ek",
        None,
    )
