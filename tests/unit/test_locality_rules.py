"""The locality's rules, one test each: coordinates, kinds, services opening and closing."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import BlankTextError, DomainRuleError, RecordNotOpenError
from domain.locality import (
    CLOSED,
    Locality,
    ServiceDateError,
    UnknownServiceError,
    locality_id,
)
from tests.unit.builders import by

LJUSDAL = "2161"


def grändsjö(**overrides: object) -> Locality:
    fields: dict[str, object] = {
        "municipality": LJUSDAL,
        "name": "Grändsjö",
        "kind": "by",
        "population": 48,
        "latitude": 61.98,
        "longitude": 15.62,
        **overrides,
    }
    return Locality.register(by=by(municipality=LJUSDAL), **fields)  # type: ignore[arg-type]


def test_one_locality_per_name_in_a_municipality() -> None:
    assert grändsjö().id == locality_id(LJUSDAL, " grändsjö ")
    assert locality_id(LJUSDAL, "Grändsjö") != locality_id("2182", "Grändsjö")


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 15), (-91, 15), (61, 181), (61, -181)])
def test_coordinates_lie_on_the_globe(latitude: float, longitude: float) -> None:
    with pytest.raises(DomainRuleError):
        grändsjö(latitude=latitude, longitude=longitude)


def test_a_kind_is_tatort_smaort_or_by() -> None:
    with pytest.raises(DomainRuleError):
        grändsjö(kind="stad")
    assert grändsjö(kind=None).kind is None


def test_a_population_is_not_negative() -> None:
    with pytest.raises(DomainRuleError):
        grändsjö(population=-1)


def test_a_name_is_required() -> None:
    with pytest.raises(BlankTextError):
        grändsjö(name="  ")


def test_a_service_is_recorded_open_with_its_own_id() -> None:
    locality = grändsjö()
    first = locality.record_service(
        "groceries", "Handlar'n", "Lanthandlarna", date(2019, 5, 1), by()
    )
    second = locality.record_service("fuel", "Bensinpumpen", None, None, by())
    assert first != second
    assert [s["service_id"] for s in locality.open_services()] == [first, second]
    assert [s["service_id"] for s in locality.open_services("fuel")] == [second]


def test_a_service_kind_is_an_issue_category() -> None:
    with pytest.raises(DomainRuleError):
        grändsjö().record_service("bowling", "Bowlinghallen", None, None, by())


def test_a_closing_records_who_when_and_why_and_keeps_the_service() -> None:
    locality = grändsjö()
    service_id = locality.record_service("groceries", "Handlar'n", None, None, by())
    locality.close_service(
        service_id, date(2024, 8, 31), "Handlaren gick i pension.", by("erik.holm")
    )
    service = locality.services[service_id]
    assert service["status"] == CLOSED
    assert service["closed_on"] == date(2024, 8, 31)
    assert service["closed_reason"] == "Handlaren gick i pension."
    assert service["closed_by"] == "erik.holm"
    assert locality.open_services() == []


def test_a_closed_service_does_not_close_again() -> None:
    locality = grändsjö()
    service_id = locality.record_service("groceries", "Handlar'n", None, None, by())
    locality.close_service(service_id, date(2024, 8, 31), "Pension.", by())
    with pytest.raises(RecordNotOpenError):
        locality.close_service(service_id, date(2024, 9, 1), "Igen.", by())


def test_a_service_does_not_close_before_it_opened() -> None:
    locality = grändsjö()
    service_id = locality.record_service("fuel", "Macken", None, date(2020, 1, 1), by())
    with pytest.raises(ServiceDateError):
        locality.close_service(service_id, date(2019, 12, 31), "Fel datum.", by())


def test_an_unknown_service_does_not_close() -> None:
    with pytest.raises(UnknownServiceError):
        grändsjö().close_service("nope", date(2024, 1, 1), "Finns inte.", by())


def test_a_closing_needs_a_reason() -> None:
    locality = grändsjö()
    service_id = locality.record_service("fuel", "Macken", None, None, by())
    with pytest.raises(BlankTextError):
        locality.close_service(service_id, date(2024, 1, 1), " ", by())
