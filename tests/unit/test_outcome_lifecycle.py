"""Any sequence of commands on an outcome: four-eyes verification against the recorder and the
last corrector, `Corrected` returns to recorded, retracted is final, and the log rebuilds it."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.outcome import Indicator, Outcome, indicator
from domain.values import OutcomeStatus
from tests.unit.builders import an_outcome, by, customers
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, texts

RECORDER = "anna.lind"
users = st.sampled_from([RECORDER, "erik.holm", "sara.nyberg"])
INDICATOR_SETS: list[list[Indicator]] = [
    [],
    [customers("430")],
    [customers("430"), indicator("öppettimmar per vecka", "42", "h")],
    [customers("430"), customers("431")],  # a duplicate name
]


def unique(indicators: list[Indicator]) -> bool:
    names = [i["name"] for i in indicators]
    return len(names) == len(set(names))


class OutcomeLifecycle(AggregateLifecycle):
    aggregate: Outcome

    @initialize()
    def record(self) -> None:
        self.start(an_outcome(by=by(RECORDER)))
        self.status = OutcomeStatus.RECORDED
        self.last_corrector: str | None = None

    @rule(user=users, note=st.sampled_from([None, "Stämmer med kassarapporten."]))
    def verify(self, user: str, note: str | None) -> None:
        legal = self.status == OutcomeStatus.RECORDED and user not in (
            RECORDER,
            self.last_corrector,
        )
        if self.attempt(legal, lambda: self.aggregate.verify(note, by(user))):
            self.status = OutcomeStatus.VERIFIED

    @rule(
        user=users,
        summary=st.sampled_from([None, "Servicepunkten öppnade i maj.", " "]),
        indicators=st.sampled_from([None, *INDICATOR_SETS]),
        reason=texts,
    )
    def correct(
        self, user: str, summary: str | None, indicators: list[Indicator] | None, reason: str
    ) -> None:
        legal = (
            self.status != OutcomeStatus.RETRACTED
            and (summary is None or not blank(summary))
            and (indicators is None or unique(indicators))
            and (summary is not None or indicators is not None)
            and not blank(reason)
        )
        if self.attempt(
            legal, lambda: self.aggregate.correct(summary, indicators, reason, by(user))
        ):
            self.status = OutcomeStatus.RECORDED
            self.last_corrector = user

    @rule(user=users, reason=texts)
    def retract(self, user: str, reason: str) -> None:
        legal = self.status != OutcomeStatus.RETRACTED and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.retract(reason, by(user))):
            self.status = OutcomeStatus.RETRACTED

    def teardown(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.status == self.status
            assert self.aggregate.last_corrected_by == self.last_corrector


OutcomeLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestOutcomeLifecycle = OutcomeLifecycle.TestCase
