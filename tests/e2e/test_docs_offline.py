"""A newcomer's first steps, off the internet: `samverkan serve`, its banner, then `/docs`.

A real `samverkan serve` runs on 127.0.0.1, and a real headless Chromium opens the docs URL the
banner names, with every host name except 127.0.0.1 resolving to nothing, as on a municipal
network without a CDN. Chromium's net log then shows every request the page made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import settings_for
from tests.e2e.test_timeline_html_browser import (
    CHROMIUM,
    HEIGHT,
    WIDTH,
    chromium,
    png_size_and_variety,
)
from tests.soak.servers import Server

OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
AFTER_SCRIPTS = "--virtual-time-budget=10000"
ADD_NOTE = "add_note_api_v1_issues__issue_id__notes_post"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless browser test skipped: Debian's chromium is absent"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = settings_for("sqlite", tmp_path_factory.mktemp("docs") / "var")
    started = Server(settings).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def docs_url(server: Server) -> str:
    """The docs URL, as the start-up banner gives it."""
    found = re.search(r"API docs:\s+(\S+)", server.log.read_text())
    assert found, server.log.read_text()[-2000:]
    return found.group(1)


def test_the_banner_names_the_url_the_docs_and_the_token_command(server: Server) -> None:
    log = server.log.read_text()
    assert f"Samverkan is starting on {server.url}" in log
    assert f"API docs:  {server.url}/docs" in log
    assert re.search(r"samverkan token issue --user \S+ --role caseworker --municipality 0561", log)
    banner_line = next(line for line in log.splitlines() if "API docs:" in line)
    assert not banner_line.startswith("{")  # for a person, beside the JSON log lines


def test_the_docs_page_names_only_its_own_server(server: Server, docs_url: str) -> None:
    page = httpx.get(docs_url, timeout=10)
    assert page.status_code == 200
    hosts = set(re.findall(r"https?://([^/'\"]+)", page.text))
    assert hosts == {f"127.0.0.1:{server.port}"}
    for asset in re.findall(r'(?:href|src)="([^"]+)"', page.text):
        assert httpx.get(asset, timeout=10).status_code == 200, asset
    assert httpx.get(f"{server.url}/openapi.json", timeout=10).json()["openapi"].startswith("3.1")


def test_the_docs_render_every_operation_offline(
    server: Server, docs_url: str, tmp_path: Path
) -> None:
    net_log = tmp_path / "net.json"
    result = chromium(
        tmp_path / "profile",
        OFFLINE,
        f"--log-net-log={net_log}",
        AFTER_SCRIPTS,
        "--dump-dom",
        docs_url,
    )
    dom = result.stdout
    assert 'id="swagger-ui"' in dom, result.stderr[-2000:]
    assert 'id="operations-issues-open_issue_api_v1_issues_post"' in dom
    assert 'data-path="/api/v1/issues"' in dom
    operations = httpx.get(f"{server.url}/openapi.json", timeout=10).json()["paths"]
    for path in operations:
        assert f'data-path="{path}"' in dom, f"{path} is not rendered"
    page_requests = requests_from_page(net_log, server.url)
    assert {"/docs/assets/swagger-ui-bundle.js", "/openapi.json"} <= {
        url.removeprefix(server.url) for url in page_requests
    }
    elsewhere = [url for url in page_requests if not url.startswith(server.url + "/")]
    assert not elsewhere, f"/docs asked other hosts: {elsewhere}"


def test_an_operation_shows_its_swedish_example(docs_url: str, tmp_path: Path) -> None:
    result = chromium(
        tmp_path / "profile", OFFLINE, AFTER_SCRIPTS, "--dump-dom", f"{docs_url}#/issues/{ADD_NOTE}"
    )
    assert "Möte i bygdegården med byalaget och handlaren" in result.stdout, result.stderr[-2000:]


def test_the_offline_docs_draw_a_page(docs_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "docs.png"
    screenshot = f"--screenshot={shot}"
    result = chromium(tmp_path / "profile", OFFLINE, AFTER_SCRIPTS, screenshot, docs_url)
    assert shot.exists(), result.stderr[-2000:]
    png = shot.read_bytes()
    width, height, variety = png_size_and_variety(png)
    assert (width, height) == (WIDTH, HEIGHT)
    # Swagger UI's coloured operation bars: a blank or unstyled page has far fewer byte values.
    assert variety > 100 and len(png) > 40_000


def requests_from_page(net_log: Path, origin: str) -> list[str]:
    """Every URL the page itself asked for (Chromium's own background traffic left out).

    The net log marks each request with its initiator: the page's origin for what the page
    loads, "not an origin" for navigations and the browser's own update and account checks.
    """
    log = _read_net_log(net_log)
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job and event.get("params", {}).get("initiator") == origin
    ]


def _read_net_log(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError:  # Chromium may stop before closing the event list
        return json.loads(text.rstrip().rstrip(",") + "]}")  # type: ignore[no-any-return]
