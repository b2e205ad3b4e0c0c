"""Local plans over HTTP (Ronneby, Mora): goals linked to issues, their progress, CSV and HTML."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, Headers, issue_body
from tests.e2e.test_timeline_html_browser import CHROMIUM, chromium, png_size_and_variety


def build_plan(client: TestClient, headers: Headers) -> tuple[str, dict[str, str]]:
    def issue(title: str, locality: str = "Falerum") -> str:
        body = issue_body(title=title, locality=locality)
        return str(client.post("/api/v1/issues", json=body, headers=headers).json()["id"])

    ids = {
        "shop": issue("Butiken i Falerum kan stänga"),
        "bus": issue("Kvällsbuss till Åtvidaberg"),
        "fibre": issue("Fiber till Falerums skola"),
    }
    client.post(
        f"/api/v1/issues/{ids['shop']}/resolve", json={"summary": "Ny handlare."}, headers=headers
    )
    outcome = {
        "issue_id": ids["shop"],
        "decision_ids": [],
        "summary": "Butiken har öppet sex dagar i veckan.",
        "indicators": [{"name": "kunder per vecka", "value": "430", "unit": "st"}],
        "observed_on": TODAY.isoformat(),
    }
    client.post("/api/v1/outcomes", json=outcome, headers=headers)
    plan: dict[str, Any] = {
        "municipality": ÅTVIDABERG,
        "locality": "Falerum",
        "year": 2025,
        "title": "Lokal utvecklingsplan för Falerum 2025",
        "goals": [
            {"text": "Dagligvaror i byn året runt.", "issue_ids": [ids["shop"]]},
            {
                "text": "Att ta sig till jobb och skola utan bil.",
                "issue_ids": [ids["bus"], ids["fibre"]],
            },
            {"text": "Fler mötesplatser.", "issue_ids": []},
        ],
    }
    answer = client.post("/api/v1/plans", json=plan, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"]), ids


def test_a_plans_goals_show_their_issues_and_outcomes(
    client: TestClient, caseworker: Headers
) -> None:
    plan_id, ids = build_plan(client, caseworker)
    view = client.get(f"/api/v1/plans/{plan_id}", headers=caseworker).json()
    first, second, third = view["goals"]
    assert first["progress"] == {
        "issues": 1,
        "resolved": 1,
        "open": 0,
        "closed": 0,
        "with_outcomes": 1,
        "verified_outcomes": 0,
    }
    assert first["issues"][0]["outcomes"][0]["summary"] == "Butiken har öppet sex dagar i veckan."
    assert [i["issue_id"] for i in second["issues"]] == [ids["bus"], ids["fibre"]]
    assert second["progress"]["open"] == 2 and third["issues"] == []
    listed = client.get("/api/v1/plans", params={"year": 2025}, headers=caseworker).json()["items"]
    assert [p["id"] for p in listed] == [plan_id]

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    f"/api/v1/plans/{plan_id}", params={"format": "csv"}, headers=caseworker
                ).text
            )
        )
    )
    assert [(r["goal_number"], r["issue_status"]) for r in rows] == [
        ("1", "resolved"),
        ("2", "open"),
        ("2", "open"),
        ("3", ""),
    ]


def test_a_plan_links_only_its_own_municipalitys_issues(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    söderhamn = auth("per.sund", "caseworker", SÖDERHAMN)
    foreign = client.post(
        "/api/v1/issues", json=issue_body(municipality=SÖDERHAMN), headers=söderhamn
    ).json()["id"]
    plan = {
        "municipality": ÅTVIDABERG,
        "year": 2025,
        "title": "Plan",
        "goals": [{"text": "Mål", "issue_ids": [foreign]}],
    }
    assert client.post("/api/v1/plans", json=plan, headers=caseworker).status_code == 404
    assert client.get("/api/v1/plans", headers=caseworker).json()["items"] == []


@pytest.fixture
def page(client: TestClient, caseworker: Headers, tmp_path: Path) -> Path:
    plan_id, _ = build_plan(client, caseworker)
    response = client.get(f"/api/v1/plans/{plan_id}", params={"format": "html"}, headers=caseworker)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for outside in ("<script", "<link", " src=", "url("):
        assert outside not in response.text
    target = tmp_path / "plan.html"
    target.write_bytes(response.content)
    return target


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is absent")
def test_the_plan_page_renders_in_chromium(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "plan.png"
    result = chromium(tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr
    assert png_size_and_variety(shot.read_bytes())[2] > 50
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    assert "Lokal utvecklingsplan för Falerum 2025" in dom
    assert (
        dom.count('class="goal"') == 3 and "Mål 2: Att ta sig till jobb och skola utan bil." in dom
    )
    assert (
        "Lösta ärenden: 1 av 1 · med utfall: 1" in dom
        and "Inga ärenden kopplade till målet." in dom
    )


def test_a_goal_naming_an_issue_twice_counts_it_once(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    issue = open_issue()
    goal = {"text": "En mötesplats i byn.", "issue_ids": [issue, issue.upper()]}
    body = {"municipality": "0561", "year": 2025, "title": "Handlingsplan 2025", "goals": [goal]}
    plan = client.post("/api/v1/plans", json=body, headers=caseworker)
    assert plan.status_code == 201, plan.text
    view = client.get(f"/api/v1/plans/{plan.json()['id']}", headers=caseworker).json()
    assert view["goals"][0]["progress"]["issues"] == 1


def test_a_plans_history_is_its_adoption(
    client: TestClient, caseworker: Headers, open_issue: Callable[..., str]
) -> None:
    goal = {"text": "En mötesplats i byn.", "issue_ids": [open_issue()]}
    body = {"municipality": "0561", "year": 2025, "title": "Handlingsplan 2025", "goals": [goal]}
    plan = client.post("/api/v1/plans", json=body, headers=caseworker).json()["id"]
    history = client.get(f"/api/v1/plans/{plan}/history", headers=caseworker)
    assert history.status_code == 200, history.text
    assert [(i["version"], i["type"]) for i in history.json()["items"]] == [
        (1, "LocalPlan.Adopted")
    ]
