"""The demo's HTML timeline in headless Chromium: each issue's story reads in a believable order.

Before the demo was told with its own clock, an issue's proposals and task forces were dated on
the loading day, after the decisions they led to. Now every section, sorted by date as the page
sorts it, lists its entries in the order the log recorded them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.bootstrap import bootstrap
from infrastructure.tokens import TokenIssuer
from interfaces.cli.demo import load_demo
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.e2e.test_timeline_html_browser import CHROMIUM, chromium, png_size_and_variety

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless browser test skipped: Debian's chromium is absent"
    ),
]

VILHELMINA, ÅTVIDABERG = "2462", "0561"
ROW = re.compile(r'<tr><td class="date">([0-9-]{10})</td><td>([^<]+)</td>')
DERIVED = {"Insatsstyrkans slutdatum"}  # a deadline, dated ahead when it is set
LOCALITY = {"Service öppnad i orten", "Service stängd i orten"}  # the place's, on its own dates


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for("sqlite", tmp_path_factory.mktemp("demo-html") / "var")
    service = bootstrap(settings)
    load_demo(service)
    service.close()
    token = TokenIssuer(settings).issue("demo.auditor", Role.AUDITOR, "*")
    with TestClient(create_app(settings=settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def rendered(client: TestClient, code: str, tmp_path: Path) -> str:
    response = client.get(
        "/api/v1/exports/timeline", params={"format": "html", "municipality": code}
    )
    assert response.status_code == 200
    page = tmp_path / f"tidslinje-{code}.html"
    page.write_bytes(response.content)
    result = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    assert "<section" in result.stdout, result.stderr
    return result.stdout


def sections(dom: str) -> list[list[tuple[date, str]]]:
    return [
        [(date.fromisoformat(d), kind) for d, kind in ROW.findall(part)]
        for part in dom.split('<section class="issue"')[1:]
    ]


@pytest.mark.parametrize("code", [VILHELMINA, ÅTVIDABERG])
def test_each_issue_of_the_demo_reads_in_a_believable_order(
    client: TestClient, code: str, tmp_path: Path
) -> None:
    stories = sections(rendered(client, code, tmp_path))
    assert len(stories) >= 1
    for story in stories:
        kinds = [kind for _, kind in story if kind not in DERIVED | LOCALITY]
        assert kinds[:2] == ["Ärende öppnat", "Ansvar tilldelat"], kinds
        assert all(day.year >= 2022 for day, kind in story if kind not in LOCALITY)
        for before, after in (
            ("Beslut föreslaget", "Beslut fattat"),
            ("Insatsstyrka bildad", "Lägesrapport"),
            ("Insatsstyrka bildad", "Insatsstyrka slutförd"),
            ("Utfall registrerat", "Utfall verifierat"),
        ):
            if before in kinds and after in kinds:
                assert kinds.index(before) < kinds.index(after), (before, after, kinds)


def test_the_decision_is_proposed_weeks_before_it_is_adopted_not_years_after(
    client: TestClient, tmp_path: Path
) -> None:
    [story] = sections(rendered(client, VILHELMINA, tmp_path))
    proposed = next(d for d, kind in story if kind == "Beslut föreslaget")
    adopted = next(d for d, kind in story if kind == "Beslut fattat")
    assert 0 < (adopted - proposed).days <= 60
    assert story[0] == (date(2022, 9, 1), "Ärende öppnat")


def test_the_demo_timeline_renders_to_a_screenshot_with_something_on_it(
    client: TestClient, tmp_path: Path
) -> None:
    response = client.get(
        "/api/v1/exports/timeline", params={"format": "html", "municipality": VILHELMINA}
    )
    page = tmp_path / "tidslinje.html"
    page.write_bytes(response.content)
    shot = tmp_path / "tidslinje.png"
    result = chromium(tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr
    width, _, variety = png_size_and_variety(shot.read_bytes())
    assert width == 1280 and variety > 50
