"""Outcome rules from domain.md: observed_on not in the future, unique indicator names,
four-eyes verification, `Corrected` returns to recorded, a retracted outcome is final."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from domain.errors import (
    BlankTextError,
    DomainRuleError,
    DuplicateIndicatorError,
    FourEyesError,
    FutureDateError,
    RecordNotOpenError,
)
from domain.outcome import Outcome, indicator
from domain.values import OutcomeStatus
from tests.unit.builders import TODAY, an_outcome, by, customers, days, refuses, saved

RECORDER, CORRECTOR, VERIFIER = "anna.lind", "erik.holm", "sara.nyberg"


def verified() -> Outcome:
    outcome = an_outcome()
    outcome.verify("Stämmer med kassarapporten.", by(VERIFIER))
    return outcome


def retracted() -> Outcome:
    outcome = an_outcome()
    outcome.retract("Fel butik angavs.", by(RECORDER))
    return outcome


def correct(outcome: Outcome, user: str = CORRECTOR) -> None:
    outcome.correct(None, [customers("430")], "Kassarapporten var ofullständig.", by(user))


CHANGES: dict[str, Callable[[Outcome], object]] = {
    "verify": lambda outcome: outcome.verify(None, by(VERIFIER)),
    "correct": correct,
    "retract": lambda outcome: outcome.retract("Dubblett.", by(RECORDER)),
}


def test_recording_keeps_who_recorded_it() -> None:
    outcome = an_outcome(by=by(RECORDER))
    (recorded,) = outcome.collect_events()
    assert isinstance(recorded, Outcome.Recorded)
    assert (outcome.status, outcome.recorded_by, outcome.last_corrected_by) == (
        OutcomeStatus.RECORDED,
        RECORDER,
        None,
    )
    assert outcome.indicators[0]["value"] == Decimal("412")


def test_observed_today_or_earlier_is_accepted() -> None:
    assert an_outcome(observed_on=TODAY).observed_on == TODAY
    assert an_outcome(observed_on=days(-400)).observed_on == days(-400)


def test_an_outcome_cannot_be_observed_in_the_future() -> None:
    with pytest.raises(FutureDateError):
        an_outcome(observed_on=days(1))


def test_the_future_is_judged_against_the_given_day() -> None:
    assert an_outcome(observed_on=days(3), today=days(3)).observed_on == days(3)


def test_indicator_names_are_unique_when_recording() -> None:
    twice = [customers("412"), customers("430")]
    with pytest.raises(DuplicateIndicatorError):
        an_outcome(indicators=twice)


def test_distinct_indicator_names_and_no_indicators_are_accepted() -> None:
    both = [customers(), indicator("öppettimmar per vecka", "42", "h")]
    assert len(an_outcome(indicators=both).indicators) == 2
    assert an_outcome(indicators=[]).indicators == []


def test_indicator_names_are_unique_when_correcting() -> None:
    outcome = an_outcome()
    twice = [customers("412"), customers("430")]
    refuses(
        outcome,
        DuplicateIndicatorError,
        lambda: outcome.correct(None, twice, "Ny rapport.", by(CORRECTOR)),
    )
    assert outcome.indicators == [customers()]


def test_an_outcome_needs_a_summary() -> None:
    with pytest.raises(BlankTextError):
        an_outcome(summary=" ")


def test_someone_else_verifies() -> None:
    outcome = saved(an_outcome(by=by(RECORDER)))
    outcome.verify("Stämmer.", by(VERIFIER))
    (verified_event,) = outcome.collect_events()
    assert isinstance(verified_event, Outcome.Verified)
    assert outcome.status == OutcomeStatus.VERIFIED


def test_the_recorder_cannot_verify() -> None:
    outcome = an_outcome(by=by(RECORDER))
    refuses(outcome, FourEyesError, lambda: outcome.verify("Jag lovar.", by(RECORDER)))


def test_the_last_corrector_cannot_verify() -> None:
    outcome = an_outcome(by=by(RECORDER))
    correct(outcome, CORRECTOR)
    refuses(outcome, FourEyesError, lambda: outcome.verify(None, by(CORRECTOR)))


def test_the_recorder_cannot_verify_even_after_someone_else_corrected() -> None:
    outcome = an_outcome(by=by(RECORDER))
    correct(outcome, CORRECTOR)
    refuses(outcome, FourEyesError, lambda: outcome.verify(None, by(RECORDER)))
    outcome.verify(None, by(VERIFIER))
    assert outcome.status == OutcomeStatus.VERIFIED


def test_an_earlier_corrector_may_verify_after_a_later_correction() -> None:
    outcome = an_outcome(by=by(RECORDER))
    correct(outcome, CORRECTOR)
    correct(outcome, VERIFIER)
    outcome.verify(None, by(CORRECTOR))
    assert outcome.status == OutcomeStatus.VERIFIED


def test_a_verified_outcome_is_not_verified_again() -> None:
    outcome = verified()
    refuses(outcome, RecordNotOpenError, lambda: outcome.verify(None, by("lena.aberg")))


def test_a_correction_returns_a_verified_outcome_to_recorded() -> None:
    outcome = saved(verified())
    correct(outcome)
    (corrected,) = outcome.collect_events()
    assert isinstance(corrected, Outcome.Corrected)
    assert corrected.changes == {"indicators": [customers("430")]}
    assert (outcome.status, outcome.last_corrected_by) == (OutcomeStatus.RECORDED, CORRECTOR)
    assert outcome.indicators == [customers("430")]


def test_a_correction_changes_only_what_it_names() -> None:
    outcome = an_outcome()
    outcome.correct("Servicepunkten öppnade i maj.", None, "Fel månad.", by(CORRECTOR))
    assert outcome.summary == "Servicepunkten öppnade i maj."
    assert outcome.indicators == [customers()]


def test_a_correction_needs_a_reason() -> None:
    outcome = an_outcome()
    refuses(
        outcome,
        BlankTextError,
        lambda: outcome.correct("Ny text.", None, " ", by(CORRECTOR)),
    )


def test_a_correction_must_change_something() -> None:
    outcome = an_outcome()
    refuses(outcome, DomainRuleError, lambda: outcome.correct(None, None, "Fel.", by(CORRECTOR)))


def test_a_correction_cannot_blank_the_summary() -> None:
    outcome = an_outcome()
    refuses(outcome, BlankTextError, lambda: outcome.correct(" ", None, "Fel.", by(CORRECTOR)))


@pytest.mark.parametrize("change", CHANGES)
def test_a_retracted_outcome_accepts_no_changes(change: str) -> None:
    outcome = retracted()
    refuses(outcome, RecordNotOpenError, lambda: CHANGES[change](outcome))


@pytest.mark.parametrize("start", [an_outcome, verified])
def test_recorded_and_verified_outcomes_can_be_retracted(start: Callable[[], Outcome]) -> None:
    outcome = start()
    outcome.retract("Dubblett av ett annat utfall.", by(RECORDER))
    assert outcome.status == OutcomeStatus.RETRACTED


def test_retracting_needs_a_reason() -> None:
    outcome = an_outcome()
    refuses(outcome, BlankTextError, lambda: outcome.retract("", by(RECORDER)))
