"""Daily case work in the domain: registration numbers, note and decision corrections, retiring a
dialogue plan, and business dates that must not lie in the future (checked on the commands)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from application import commands as c
from domain.dialogue_plan import DialoguePlan
from domain.errors import (
    AlreadyRegisteredError,
    BlankTextError,
    DomainRuleError,
    RecordNotOpenError,
)
from domain.issue import Issue, NoteState
from domain.registration import RegistrationNumber
from tests.unit.builders import (
    TODAY,
    a_decision,
    an_adopted_decision,
    an_issue,
    by,
    refuses,
    saved,
)
from tests.unit.lifecycle import replay

TOMORROW = TODAY + timedelta(days=1)


def test_a_registration_number_reads_municipality_year_and_a_four_digit_serial() -> None:
    number = RegistrationNumber("2462", 2026, 17)
    assert str(number) == "2462-2026/0017"
    assert RegistrationNumber.parse("2462-2026/0017") == number
    assert str(RegistrationNumber("0561", 2026, 12345)) == "0561-2026/12345"
    with pytest.raises(ValueError, match="Not a registration number"):
        RegistrationNumber.parse("KS 2024/123")


def test_a_number_given_at_opening_is_on_the_opened_event_and_survives_replay() -> None:
    issue = an_issue(registration_number="0561-2026/0001")
    [opened] = issue.collect_events()
    assert opened.registration_number == "0561-2026/0001"
    assert replay([opened]).registration_number == "0561-2026/0001"


def test_an_issue_without_a_number_is_registered_once() -> None:
    issue = saved(an_issue())
    assert issue.registration_number is None
    issue.register("0561-2025/0003", by())
    assert issue.registration_number == "0561-2025/0003"
    refuses(issue, AlreadyRegisteredError, lambda: issue.register("0561-2025/0004", by()))


def note_of(issue: Issue, public: bool = False, withdrawn: bool = False) -> NoteState:
    return NoteState(uuid4(), issue.id, public, withdrawn)


def test_a_note_correction_records_what_changed_the_reason_and_the_notes_visibility() -> None:
    issue = saved(an_issue())
    note = note_of(issue, public=True)
    issue.correct_note(note, None, date(2025, 3, 1), "Fel datum.", by())
    [corrected] = issue.collect_events()
    assert isinstance(corrected, Issue.NoteCorrected)
    assert (corrected.note_id, corrected.text, corrected.occurred_on) == (
        note.note_id,
        None,
        date(2025, 3, 1),
    )
    assert (corrected.reason, corrected.public) == ("Fel datum.", True)


def test_a_correction_needs_a_reason_and_something_to_correct() -> None:
    issue = an_issue()
    note = note_of(issue)
    refuses(issue, BlankTextError, lambda: issue.correct_note(note, "Ny text", None, " ", by()))
    refuses(issue, DomainRuleError, lambda: issue.correct_note(note, None, None, "Fel.", by()))
    refuses(issue, BlankTextError, lambda: issue.withdraw_note(note, "", by()))


def test_a_withdrawn_note_and_a_closed_issue_take_no_corrections() -> None:
    issue = an_issue()
    withdrawn = note_of(issue, withdrawn=True)
    refuses(
        issue,
        RecordNotOpenError,
        lambda: issue.correct_note(withdrawn, "Ny text", None, "Fel.", by()),
    )
    refuses(issue, RecordNotOpenError, lambda: issue.withdraw_note(withdrawn, "Fel.", by()))
    issue.close("Dubblett.", by())
    refuses(issue, RecordNotOpenError, lambda: issue.withdraw_note(note_of(issue), "x", by()))


def test_a_note_of_another_issue_is_refused() -> None:
    issue, other = an_issue(), an_issue()
    refuses(issue, DomainRuleError, lambda: issue.withdraw_note(note_of(other), "Fel.", by()))


def test_only_an_adopted_decision_is_corrected_and_the_correction_applies() -> None:
    proposed = a_decision()
    refuses(
        proposed,
        RecordNotOpenError,
        lambda: proposed.correct(date(2024, 1, 20), None, "Fel år.", by()),
    )
    with pytest.raises(RecordNotOpenError, match=r"^Only an adopted decision can be corrected"):
        proposed.correct(date(2024, 1, 20), None, "Fel år.", by())
    adopted = saved(an_adopted_decision())
    adopted.correct(date(2024, 1, 20), None, "Fel år angavs.", by())
    assert (adopted.decided_on, adopted.reference) == (date(2024, 1, 20), "KS 2024/112")
    adopted.correct(None, "KS 2024/113", "Fel löpnummer.", by())
    assert (adopted.decided_on, adopted.reference) == (date(2024, 1, 20), "KS 2024/113")
    refuses(adopted, BlankTextError, lambda: adopted.correct(None, "KS 1", "  ", by()))
    refuses(adopted, DomainRuleError, lambda: adopted.correct(None, None, "Fel.", by()))


def test_a_retired_plan_can_be_planned_again() -> None:
    plan = DialoguePlan.plan(
        municipality="2462",
        locality="Dikanas",
        every_months=4,
        partner="Dikanäs byalag",
        starts_on=date(2024, 1, 15),
        by=by(municipality="2462"),
    )
    plan.retire(by(municipality="2462"))
    assert plan.is_retired
    refuses(plan, RecordNotOpenError, lambda: plan.retire(by(municipality="2462")))
    plan.replan(6, "Dikanäs byalag", date(2025, 1, 15), by(municipality="2462"))
    assert not plan.is_retired


ISSUE_ID, NOTE_ID, DECISION_ID = uuid4(), uuid4(), uuid4()


@pytest.mark.parametrize(
    ("command", "fields"),
    [
        (c.AddNote, {"issue_id": ISSUE_ID, "kind": "phone", "text": "Samtal.", "occurred_on": 0}),
        (c.AdoptDecision, {"decision_id": DECISION_ID, "decided_on": 0}),
        (c.CorrectDecision, {"decision_id": DECISION_ID, "decided_on": 0, "reason": "Fel."}),
        (
            c.CorrectNote,
            {"issue_id": ISSUE_ID, "note_id": NOTE_ID, "occurred_on": 0, "reason": "x"},
        ),
        (
            c.RecordOutcome,
            {
                "issue_id": ISSUE_ID,
                "decision_ids": [],
                "summary": "Butiken öppen.",
                "indicators": [],
                "observed_on": 0,
            },
        ),
    ],
)
def test_business_dates_may_be_today_but_not_after(
    command: type[c.Command], fields: dict[str, object]
) -> None:
    date_field = next(name for name, value in fields.items() if value == 0)
    command.model_validate({**fields, date_field: TODAY.isoformat()})
    with pytest.raises(ValidationError, match="must not be after today"):
        command.model_validate({**fields, date_field: TOMORROW.isoformat()})


def test_a_correction_command_names_something_to_correct() -> None:
    with pytest.raises(ValidationError, match="name at least one of text, occurred_on"):
        c.CorrectNote(issue_id=ISSUE_ID, note_id=NOTE_ID, reason="Fel.")
    with pytest.raises(ValidationError, match="name at least one of decided_on, reference"):
        c.CorrectDecision(decision_id=DECISION_ID, reason="Fel.")
