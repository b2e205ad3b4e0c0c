"""TaskForce rules from domain.md: deadline after forming, the lead is always a member,
handovers carry a note, extensions move later with a reason, finished task forces are final."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest

from domain.errors import (
    BlankTextError,
    DeadlineError,
    DomainRuleError,
    DuplicateMemberError,
    LeadRemovalError,
    NotAMemberError,
    RecordNotOpenError,
)
from domain.task_force import TaskForce
from domain.values import TaskForceStatus
from tests.unit.builders import TODAY, a_task_force, by, days, refuses, saved

CHANGES: dict[str, Callable[[TaskForce, str], object]] = {
    "add member": lambda tf, _: tf.add_member("Maria Sund", "ICA Falerum", "handlare", by()),
    "remove member": lambda tf, member: tf.remove_member(member, by()),
    "hand over": lambda tf, member: tf.hand_over_lead(member, "Kontakterna finns i ärendet.", by()),
    "extend": lambda tf, _: tf.extend_mandate(days(120), "Leverantören svarar i vår.", by()),
    "progress": lambda tf, _: tf.report_progress("Två leverantörer har svarat.", by()),
    "complete": lambda tf, _: tf.complete("Avtal med ICA om servicepunkt.", by()),
    "disband": lambda tf, _: tf.disband("Frågan löstes på annat sätt.", by()),
}


def with_member() -> tuple[TaskForce, str]:
    task_force = a_task_force()
    member = task_force.add_member("Lars Ek", "Falerums byalag", "ordförande", by())
    return task_force, member


def completed() -> TaskForce:
    task_force = a_task_force()
    task_force.complete("Klart.", by())
    return task_force


def disbanded() -> TaskForce:
    task_force = a_task_force()
    task_force.disband("Behövs inte längre.", by())
    return task_force


def test_forming_makes_the_lead_the_first_member() -> None:
    task_force = a_task_force()
    (formed,) = task_force.collect_events()
    assert isinstance(formed, TaskForce.Formed)
    assert task_force.status == TaskForceStatus.ACTIVE
    assert list(task_force.members) == [task_force.lead]
    assert task_force.members[task_force.lead] == {
        "display_name": "Karin Berg",
        "organisation": "Åtvidabergs kommun",
        "role": "landsbygdsutvecklare",
    }
    assert UUID(task_force.lead).version == 4


@pytest.mark.parametrize("due_in_days", [0, -1, -30])
def test_the_deadline_lies_after_the_day_of_forming(due_in_days: int) -> None:
    with pytest.raises(DeadlineError):
        a_task_force(due_on=days(due_in_days))


def test_a_deadline_of_tomorrow_is_accepted() -> None:
    assert a_task_force(due_on=days(1)).due_on == days(1)


def test_forming_is_judged_against_the_given_day() -> None:
    assert a_task_force(due_on=days(5), today=days(4)).due_on == days(5)
    with pytest.raises(DeadlineError):
        a_task_force(due_on=days(5), today=days(5))


def test_a_task_force_needs_a_name() -> None:
    with pytest.raises(BlankTextError):
        a_task_force(name=" ")


@pytest.mark.parametrize("change", CHANGES)
def test_an_active_task_force_records_each_change_as_exactly_one_event(change: str) -> None:
    task_force, member = with_member()
    saved(task_force)
    CHANGES[change](task_force, member)
    assert len(task_force.collect_events()) == 1
    assert task_force.version == 3


@pytest.mark.parametrize("finish", [completed, disbanded])
@pytest.mark.parametrize("change", CHANGES)
def test_a_completed_or_disbanded_task_force_accepts_no_changes(
    finish: Callable[[], TaskForce], change: str
) -> None:
    task_force = finish()
    refuses(task_force, RecordNotOpenError, lambda: CHANGES[change](task_force, task_force.lead))


def test_members_keep_joining_order_with_fresh_uuids() -> None:
    task_force = a_task_force()
    lars = task_force.add_member("Lars Ek", "Falerums byalag", "ordförande", by())
    maria = task_force.add_member("Maria Sund", "ICA Falerum", "handlare", by())
    task_force.remove_member(lars, by())
    lars_again = task_force.add_member("Lars Ek", "Falerums byalag", "ordförande", by())
    assert list(task_force.members) == [task_force.lead, maria, lars_again]
    assert lars_again != lars
    assert all(UUID(m).version == 4 for m in task_force.members)
    assert len(set(task_force.members)) == 3


def test_removing_a_member_records_who_left() -> None:
    task_force, member = with_member()
    saved(task_force)
    task_force.remove_member(member, by())
    (removed,) = task_force.collect_events()
    assert isinstance(removed, TaskForce.MemberRemoved) and removed.member_id == member
    assert member not in task_force.members


def test_the_lead_cannot_be_removed() -> None:
    task_force, _ = with_member()
    refuses(task_force, LeadRemovalError, lambda: task_force.remove_member(task_force.lead, by()))
    assert task_force.lead in task_force.members


def test_the_old_lead_can_leave_after_handing_over() -> None:
    task_force, member = with_member()
    old_lead = task_force.lead
    task_force.hand_over_lead(member, "Alla kontakter ligger i ärendet.", by())
    task_force.remove_member(old_lead, by())
    assert task_force.lead == member
    assert list(task_force.members) == [member]


def test_removing_a_stranger_is_refused() -> None:
    task_force, _ = with_member()
    stranger = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
    refuses(task_force, NotAMemberError, lambda: task_force.remove_member(stranger, by()))


def test_a_handover_records_from_to_and_note() -> None:
    task_force, member = with_member()
    old_lead = task_force.lead
    saved(task_force)
    task_force.hand_over_lead(member, "Leverantörslistan finns i mappen.", by())
    (handed,) = task_force.collect_events()
    assert isinstance(handed, TaskForce.LeadHandedOver)
    assert (handed.from_member_id, handed.to_member_id) == (old_lead, member)
    assert handed.note == "Leverantörslistan finns i mappen."
    assert task_force.lead == member


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_a_handover_needs_a_note(note: str) -> None:
    task_force, member = with_member()
    lead = task_force.lead
    refuses(task_force, BlankTextError, lambda: task_force.hand_over_lead(member, note, by()))
    assert task_force.lead == lead


def test_a_handover_goes_to_a_member() -> None:
    task_force, _ = with_member()
    stranger = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"
    refuses(
        task_force,
        NotAMemberError,
        lambda: task_force.hand_over_lead(stranger, "Ta över.", by()),
    )


def test_a_handover_to_a_removed_member_is_refused() -> None:
    task_force, member = with_member()
    task_force.remove_member(member, by())
    refuses(task_force, NotAMemberError, lambda: task_force.hand_over_lead(member, "Ta.", by()))


def test_the_lead_cannot_hand_over_to_themselves() -> None:
    task_force = a_task_force()
    refuses(
        task_force,
        DomainRuleError,
        lambda: task_force.hand_over_lead(task_force.lead, "Ingen ändring.", by()),
    )


def test_an_extension_moves_the_deadline_later_and_keeps_the_old_one() -> None:
    task_force = saved(a_task_force(due_on=days(60)))
    task_force.extend_mandate(days(90), "Leverantören svarar först i vår.", by())
    (extended,) = task_force.collect_events()
    assert isinstance(extended, TaskForce.MandateExtended)
    assert (extended.old_due_on, extended.new_due_on) == (days(60), days(90))
    assert task_force.due_on == days(90)


@pytest.mark.parametrize("new_due", [60, 59, 1])
def test_an_extension_must_move_the_deadline_later(new_due: int) -> None:
    task_force = a_task_force(due_on=days(60))
    refuses(
        task_force,
        DeadlineError,
        lambda: task_force.extend_mandate(days(new_due), "Mer tid.", by()),
    )
    assert task_force.due_on == days(60)


def test_an_extension_needs_a_reason() -> None:
    task_force = a_task_force(due_on=days(60))
    refuses(task_force, BlankTextError, lambda: task_force.extend_mandate(days(90), " ", by()))


def test_progress_needs_text() -> None:
    task_force = a_task_force()
    refuses(task_force, BlankTextError, lambda: task_force.report_progress("", by()))


def test_completing_needs_a_summary_and_disbanding_a_reason() -> None:
    task_force = a_task_force()
    refuses(task_force, BlankTextError, lambda: task_force.complete(" ", by()))
    refuses(task_force, BlankTextError, lambda: task_force.disband(" ", by()))
    assert task_force.status == TaskForceStatus.ACTIVE


def test_completed_and_disbanded_are_their_own_statuses() -> None:
    assert completed().status == TaskForceStatus.COMPLETED
    assert disbanded().status == TaskForceStatus.DISBANDED


def test_overdue_is_active_with_the_deadline_passed() -> None:
    task_force = a_task_force(due_on=days(10))
    assert not task_force.is_overdue(TODAY)
    assert not task_force.is_overdue(days(10))  # due today has not yet passed
    assert task_force.is_overdue(days(11))


@pytest.mark.parametrize("finish", [completed, disbanded])
def test_a_finished_task_force_is_never_overdue(finish: Callable[[], TaskForce]) -> None:
    assert not finish().is_overdue(days(365))


def test_overdue_is_derived_not_stored() -> None:
    task_force = a_task_force()
    assert not any("overdue" in name for name in vars(task_force))
    assert not any("overdue" in name for name in TaskForce.Formed.__annotations__)


def test_a_staff_handover_without_a_note_adds_no_member() -> None:
    task_force = a_task_force()
    refuses(
        task_force,
        BlankTextError,
        lambda: task_force.hand_over_lead_to_user("olle.ek", "  ", by()),
    )
    assert len(task_force.members) == 1


def test_the_same_person_cannot_be_added_twice() -> None:
    task_force, _ = with_member()
    refuses(
        task_force,
        DuplicateMemberError,
        lambda: task_force.add_member("lars  ek", "Falerums Byalag", "kassör", by()),
    )


def test_a_namesake_of_another_organisation_is_another_member() -> None:
    task_force, _ = with_member()
    task_force.add_member("Lars Ek", "Trönö IF", "tränare", by())
    assert len(task_force.members) == 3


def test_a_removed_member_may_join_again() -> None:
    task_force, member = with_member()
    task_force.remove_member(member, by())
    task_force.add_member("Lars Ek", "Falerums byalag", "ordförande", by())
    assert len(task_force.members) == 2
