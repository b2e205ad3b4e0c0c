"""Service access in the domain of distances: haversine, and a bounded nearest-service search
that always finds what an all-pairs scan finds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infrastructure.views.service_access import Place, access, haversine_km, nearest


def place(name: str, lat: float, lon: float, *services: str, municipality: str = "2161") -> Place:
    return Place(name, municipality, name, lat, lon, tuple(services))


def test_haversine_gives_known_distances() -> None:
    # Ljusdal to Stockholm, about 300 km as the crow flies
    assert haversine_km(61.8290, 16.0900, 59.3293, 18.0686) == pytest.approx(297, abs=3)
    assert haversine_km(61.0, 16.0, 61.0, 16.0) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)


def test_a_locality_with_its_own_service_is_at_zero_km() -> None:
    items = access([place("Tallåsen", 61.86, 16.05, "Tallåsens lanthandel")], beyond_km=30)
    assert items[0]["nearest"]["km"] == 0
    assert items[0]["beyond"] is False


def test_beyond_flags_localities_farther_than_the_limit_or_with_none() -> None:
    places = [
        place("Ljusdal", 61.829, 16.090, "ICA Kvantum"),
        place("Järvsö", 61.716, 16.168),  # about 13 km
        place("Ramsjö", 62.183, 15.650),  # about 45 km
    ]
    by_name = {i["name"]: i for i in access(places, beyond_km=30)}
    assert by_name["Järvsö"]["beyond"] is False
    assert by_name["Järvsö"]["nearest"]["name"] == "Ljusdal"
    assert by_name["Ramsjö"]["beyond"] is True
    lonely = access([place("Ramsjö", 62.183, 15.650)], beyond_km=30)[0]
    assert (lonely["nearest"], lonely["beyond"]) == (None, True)


def test_services_of_another_municipality_do_not_count() -> None:
    places = [
        place("Ljusdal", 61.829, 16.090, "ICA"),
        place("Ånge", 62.52, 15.66, municipality="2260"),
    ]
    assert access(places, 500)[1]["nearest"] is None


coordinate = st.tuples(st.floats(55.0, 69.0), st.floats(11.0, 24.0))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(coordinate, min_size=1, max_size=40),
    st.lists(coordinate, min_size=1, max_size=40),
)
def test_the_bounded_search_finds_what_all_pairs_finds(
    targets: list[tuple[float, float]], shops: list[tuple[float, float]]
) -> None:
    candidates = sorted(
        (place(f"s{i}", lat, lon, "butik") for i, (lat, lon) in enumerate(shops)),
        key=lambda p: p.latitude,
    )
    latitudes = [c.latitude for c in candidates]
    for lat, lon in targets:
        found = nearest(place("t", lat, lon), candidates, latitudes)
        assert found is not None
        brute = min(haversine_km(lat, lon, c.latitude, c.longitude) for c in candidates)
        assert found[1] == pytest.approx(brute)
