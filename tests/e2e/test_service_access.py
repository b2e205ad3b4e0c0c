"""Service access over HTTP (Ljusdal's rule): JSON and the printable HTML map, in Chromium too."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Headers
from tests.e2e.test_timeline_html_browser import CHROMIUM, chromium, png_size_and_variety

LJUSDAL = "2161"
PATH = "/api/v1/insights/service-access"
# Real places in Ljusdal kommun; Ramsjö lies about 45 km from Ljusdal's shops.
PLACES = {
    "Ljusdal": (61.829, 16.090, "tatort"),
    "Järvsö": (61.716, 16.168, "tatort"),
    "Färila": (61.800, 15.849, "tatort"),
    "Tallåsen": (61.862, 16.047, "smaort"),
    "Ramsjö": (62.183, 15.650, "by"),
    "Hennan": (62.033, 15.900, "by"),
}


@pytest.fixture
def ljusdal(auth: Callable[..., Headers]) -> Headers:
    return auth("maria.berg", "caseworker", LJUSDAL)


def build_ljusdal(client: TestClient, headers: Headers) -> dict[str, str]:
    ids = {}
    for name, (lat, lon, kind) in PLACES.items():
        body: dict[str, Any] = {
            "municipality": LJUSDAL,
            "name": name,
            "kind": kind,
            "latitude": lat,
            "longitude": lon,
        }
        response = client.post("/api/v1/localities", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    for name in ("Ljusdal", "Järvsö", "Hennan"):
        shop = {"kind": "groceries", "name": f"Handlaren i {name}"}
        answer = client.post(f"/api/v1/localities/{ids[name]}/services", json=shop, headers=headers)
        assert answer.status_code == 200, answer.text
        if name == "Hennan":  # Hennan's shop closed: its nearest is now in Ljusdal, 28 km away
            closing = {"closed_on": "2024-06-30", "reason": "Butiken lades ned."}
            path = f"/api/v1/localities/{ids[name]}/services/{answer.json()['service_id']}/close"
            assert client.post(path, json=closing, headers=headers).status_code == 200
    return ids


def test_each_locality_gets_its_nearest_open_service(client: TestClient, ljusdal: Headers) -> None:
    ids = build_ljusdal(client, ljusdal)
    report = client.get(PATH, params={"kind": "groceries", "beyond_km": 30}, headers=ljusdal)
    assert report.status_code == 200, report.text
    items = {i["name"]: i for i in report.json()["items"]}
    assert set(items) == set(PLACES)
    assert items["Ljusdal"]["nearest"]["km"] == 0
    assert items["Tallåsen"]["nearest"]["locality_id"] == ids["Ljusdal"]
    assert items["Färila"]["nearest"]["name"] == "Ljusdal"
    assert items["Ramsjö"]["beyond"] is True and items["Ramsjö"]["nearest"]["km"] > 30
    assert items["Hennan"]["nearest"]["name"] != "Hennan"  # a closed shop does not count
    assert [n for n, i in items.items() if i["beyond"]] == ["Ramsjö"]
    fuel = client.get(PATH, params={"kind": "fuel"}, headers=ljusdal).json()["items"]
    assert all(i["nearest"] is None and i["beyond"] for i in fuel)


def test_other_municipalities_see_nothing_and_bad_input_is_a_problem(
    client: TestClient, ljusdal: Headers, caseworker: Headers
) -> None:
    build_ljusdal(client, ljusdal)
    assert client.get(PATH, headers=caseworker).json()["items"] == []
    bad = client.get(PATH, params={"beyond_km": -1}, headers=ljusdal)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


@pytest.fixture
def page(client: TestClient, ljusdal: Headers, tmp_path: Path) -> Path:
    build_ljusdal(client, ljusdal)
    response = client.get(PATH, params={"format": "html"}, headers=ljusdal)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for outside in ("<script", "<link", " src=", "url("):
        assert outside not in response.text
    assert "Tillgång till service – Ljusdal" in response.text  # noqa: RUF001
    assert "1 av 6 orter har längre än 30\N{NO-BREAK SPACE}km" in response.text
    assert re.search(r"<td class=\"km\">\d+,\d\N{NO-BREAK SPACE}km</td>", response.text)  # 36,5 km
    assert 'class="scale"' in response.text  # a scale bar, so distances can be judged
    english = client.get(PATH, params={"format": "html", "lang": "en"}, headers=ljusdal)
    assert "1 of 6 localities are more than 30\N{NO-BREAK SPACE}km" in english.text
    assert re.search(r"<td class=\"km\">\d+\.\d\N{NO-BREAK SPACE}km</td>", english.text)
    target = tmp_path / "service.html"
    target.write_bytes(response.content)
    return target


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is absent")
def test_the_map_renders_in_chromium(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "service.png"
    result = chromium(tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr
    width, _, variety = png_size_and_variety(shot.read_bytes())
    assert width == 1280 and variety > 50
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert dom.count('class="far"') >= 2 and dom.count('class="own"') >= 2  # dots and rows
    assert "Ramsjö" in dom and "Egen service i orten" in dom
