"""The demo's conductor: stories told in threads take turns, earliest moment first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interfaces.demo.conductor import StoryConductor

START = datetime(2022, 9, 1, 7, 30, tzinfo=UTC)


def test_commands_of_several_stories_run_in_the_order_of_their_moments() -> None:
    conductor = StoryConductor()
    told: list[tuple[datetime, str]] = []

    def story(name: str, days: list[int]) -> None:
        for day in days:
            moment = START + timedelta(days=day)
            with conductor.turn(name, moment):
                told.append((moment, name))

    conductor.run(
        {
            "falerum": lambda: story("falerum", [0, 10, 11, 40]),
            "tronö": lambda: story("tronö", [3, 4, 50]),
            "gårdby": lambda: story("gårdby", [1, 39]),
        }
    )
    assert told == sorted(told)
    assert len(told) == 9


def test_a_story_that_fails_ends_alone_and_its_error_is_raised() -> None:
    conductor = StoryConductor()
    told: list[str] = []

    def failing() -> None:
        with conductor.turn("fel", START):
            raise ValueError("out of order")

    def fine() -> None:
        for day in (1, 2):
            with conductor.turn("rätt", START + timedelta(days=day)):
                told.append("rätt")

    with pytest.raises(ValueError, match="out of order"):
        conductor.run({"fel": failing, "rätt": fine})
    assert told == ["rätt", "rätt"]
