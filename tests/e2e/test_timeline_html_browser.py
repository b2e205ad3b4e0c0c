"""The HTML timeline in a real headless Chromium.

The page carries no script at all (checked below), so what Chromium draws is what a reader with
JavaScript turned off sees. Chromium's own `scriptEnabled=false` switch is not used: headless
`--dump-dom` and `--screenshot` rely on scripting and return nothing with it.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG, Headers
from tests.e2e.test_timeline_export import PATH, build_programme

CLOSING = "Butiken i Falerum stängde: ägaren gick i pension."

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 1280, 1000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless browser test skipped: Debian's chromium is absent"
    ),
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def png_size_and_variety(png: bytes) -> tuple[int, int, int]:
    """Width, height, and how many distinct byte values the filtered pixel data holds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    data, offset = b"", 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(data)))


@pytest.fixture
def page(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers], tmp_path: Path
) -> Path:
    build_programme(client, caseworker, auth("lars.nord", "caseworker", SÖDERHAMN))
    close_the_shop_in_falerum(client, caseworker)
    response = client.get(PATH, params={"format": "html"}, headers=caseworker)
    assert response.status_code == 200
    for outside in ("<script", "<link", " src=", "url("):  # self-contained, and no JavaScript
        assert outside not in response.text
    target = tmp_path / "tidslinje.html"
    target.write_bytes(response.content)
    return target


def close_the_shop_in_falerum(client: TestClient, caseworker: Headers) -> None:
    place = {"municipality": ÅTVIDABERG, "name": "Falerum", "latitude": 58.14, "longitude": 16.2}
    locality = client.post("/api/v1/localities", json=place, headers=caseworker).json()["id"]
    shop = {"kind": "groceries", "name": "Handlar'n", "opened_on": "2015-05-01"}
    services = f"/api/v1/localities/{locality}/services"
    service = client.post(services, json=shop, headers=caseworker).json()["service_id"]
    closing = {"closed_on": "2025-04-30", "reason": CLOSING}
    closed = client.post(f"{services}/{service}/close", json=closing, headers=caseworker)
    assert closed.status_code == 200, closed.text


def test_the_page_renders_to_a_screenshot_with_something_on_it(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "tidslinje.png"
    result = chromium(tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr
    png = shot.read_bytes()
    width, height, variety = png_size_and_variety(png)
    assert (width, height) == (WIDTH, HEIGHT)
    # A blank page filters down to a handful of byte values and a few kilobytes.
    assert variety > 50 and len(png) > 20_000


def test_the_rendered_page_shows_the_municipality_legend_issues_and_svg(
    page: Path, tmp_path: Path
) -> None:
    result = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    dom = result.stdout
    assert "<title>Samverkan – Tidslinje – Åtvidaberg</title>" in dom, result.stderr  # noqa: RUF001
    assert "Teckenförklaring" in dom and "Beslut fattat" in dom
    assert "Butiken i Falerum kan stänga" in dom and "Paketutlämning i Falerum" in dom
    assert dom.count('class="issue"') == 2  # the issue and its sub-issue, each a section
    assert "Delärende till <a" in dom
    assert dom.count("<svg") >= 3 and 'class="bar active"' in dom
    assert "Service stängd i orten" in dom and CLOSING in dom  # in the table, who and why
    assert 'class="service-closed"' in dom  # and its mark on the issue's lane
