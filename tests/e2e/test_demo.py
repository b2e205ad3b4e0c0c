"""The demo programme: fifteen municipalities, loaded through the command bus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from domain.municipalities import PROGRAMME
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.settings import get_settings
from infrastructure.tokens import TokenIssuer
from infrastructure.views.follow_ups import FollowUps
from infrastructure.views.insights import Insights
from infrastructure.views.read_models import VIEWS
from interfaces.cli import main as cli_main
from interfaces.cli.demo import load_demo
from interfaces.cli.main import app as cli
from interfaces.http.app import create_app
from tests.conftest import settings_for

NATIONAL = Actor("demo.auditor", Role.AUDITOR, "*")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samverkan]:
    service = bootstrap(settings_for("sqlite", tmp_path_factory.mktemp("demo") / "var"))
    assert load_demo(service, only_if_empty=True) > 100
    yield service
    service.close()


def rows(demo: Samverkan, view: str) -> list[dict[str, Any]]:
    with demo.events.transaction() as session:
        return [dict(r) for r in session.execute(select(VIEWS[view])).mappings()]


def test_all_fifteen_municipalities_have_issues_marked_as_demo(demo: Samverkan) -> None:
    issues = rows(demo, "issue")
    assert {i["municipality"] for i in issues} == set(PROGRAMME)
    assert all(i["title"].startswith("[Demo]") for i in issues)
    assert all(d["title"].startswith("[Demo]") for d in rows(demo, "decision"))
    assert all(t["name"].startswith("[Demo]") for t in rows(demo, "task_force"))


def test_the_named_localities_sit_in_their_municipalities(demo: Samverkan) -> None:
    places = {(i["municipality"], i["locality"]) for i in rows(demo, "issue")}
    assert {("2182", "Trönö"), ("0561", "Falerum"), ("0840", "Gårdby")} <= places


def test_decisions_and_outcomes_are_spread_over_2022_to_2024(demo: Samverkan) -> None:
    decided = [d["decided_on"] for d in rows(demo, "decision")]
    observed = [o["observed_on"] for o in rows(demo, "outcome")]
    assert {d.year for d in decided} == {2022, 2023, 2024}
    assert all(date(2022, 1, 1) <= d <= date(2024, 12, 31) for d in decided + observed)
    noted = [n["occurred_on"].year for n in rows(demo, "note")]
    assert {2022, 2023, 2024} <= set(noted)
    assert any(n["public"] for n in rows(demo, "note"))


def test_task_forces_were_handed_over_one_person_left_and_one_is_on_leave(
    demo: Samverkan,
) -> None:
    log = rows(demo, "log")
    assert any(e["type"] == "TaskForce.LeadHandedOver" for e in log)
    staff = {s["user_id"]: s["status"] for s in rows(demo, "staff_member")}
    assert staff == {"demo.vetlanda.2": "departed", "demo.falun.1": "on_leave"}
    task_forces = rows(demo, "task_force")
    active = [t for t in task_forces if t["status"] == "active"]
    assert active and all(t["due_on"] > datetime.now(UTC).date() for t in active)
    assert all(t["due_on"].year <= 2024 for t in task_forces if t["status"] == "completed")


def test_the_insights_show_single_person_in_mora_and_orphaned_in_vetlanda(
    demo: Samverkan,
) -> None:
    report = Insights(demo.events).person_dependency(NATIONAL, None, datetime.now(UTC))
    flags = {(i["municipality"], i["title"]): i["flags"] for i in report["issues"]}
    mora = [f for (m, _), f in flags.items() if m == "2062"]
    assert mora and all(f["single_person"] for f in mora)
    assert any(f["orphaned"] for (m, _), f in flags.items() if m == "0685")
    assert not any(f["orphaned"] for (m, _), f in flags.items() if m != "0685")


def test_the_dialogue_cycle_has_plans_some_on_time_and_some_overdue(demo: Samverkan) -> None:
    cycle = Insights(demo.events).dialogue_cycle(NATIONAL, None, datetime.now(UTC).date())
    overdue = {c["locality"]: c["overdue"] for c in cycle}
    assert {"Trönö", "Falerum", "Gårdby"} <= set(overdue)
    assert (overdue["Trönö"], overdue["Gårdby"], overdue["Vindelnäs"]) == (False, False, False)
    assert (overdue["Falerum"], overdue["Storbäcken"]) == (True, True)


def test_some_localities_are_stale_and_falun_is_on_leave(demo: Samverkan) -> None:
    report = Insights(demo.events).person_dependency(NATIONAL, None, datetime.now(UTC))
    stale = {(p["municipality"], p["locality"]): p["flags"]["stale"] for p in report["localities"]}
    assert stale[("2417", "Granliden")] and stale[("1983", "Ekhammar")]
    assert not stale[("2062", "Nybodarna")] and not stale[("0840", "Gårdby")]
    on_leave = {i["municipality"] for i in report["issues"] if i["flags"]["on_leave"]}
    assert on_leave == {"2080"}
    overdue = {i["municipality"] for i in report["issues"] if i["flags"]["overdue_follow_up"]}
    assert overdue == {"2062", "2161"}


def test_follow_ups_fall_due_some_overdue_some_in_the_coming_days(demo: Samverkan) -> None:
    today = datetime.now(UTC).date()
    items = FollowUps(demo.events).due(NATIONAL, None, None, today)
    assert [i["overdue"] for i in items] == sorted((i["overdue"] for i in items), reverse=True)
    assert sum(i["overdue"] for i in items) == 2
    assert any(0 <= (i["due_on"] - today).days <= 7 for i in items)


def test_each_event_is_recorded_at_a_time_consistent_with_its_story(demo: Samverkan) -> None:
    now = datetime.now(UTC)
    log = sorted(rows(demo, "log"), key=lambda e: e["position"])
    recorded = [e["occurred_at"] for e in log]
    assert recorded == sorted(recorded), "the global log runs in story order"
    assert recorded[0] >= datetime(2022, 8, 1, tzinfo=UTC) and recorded[-1] < now
    assert sum(t.year == 2022 for t in recorded) > 20
    assert any(t > now - timedelta(days=60) for t in recorded), "and reaches the present"
    at = {(e["record_id"], e["version"]): e["occurred_at"].date() for e in log}
    for note in rows(demo, "note"):
        assert at[(note["issue_id"], note["version"])] >= note["occurred_on"]
    for decision in rows(demo, "decision"):
        adopted = [e for e in log if e["record_id"] == decision["id"]]
        assert [e["type"] for e in adopted][:2] == ["Decision.Proposed", "Decision.Adopted"]
        assert adopted[0]["occurred_at"] < adopted[1]["occurred_at"]
        assert adopted[1]["occurred_at"].date() >= decision["decided_on"]
    for outcome in rows(demo, "outcome"):
        assert outcome["created_at"].date() > outcome["observed_on"]
    opened = {i["id"]: i["created_at"] for i in rows(demo, "issue")}
    for kind in ("task_force", "decision", "outcome"):
        for record in rows(demo, kind):
            assert record["created_at"] > opened[record["issue_id"]], (kind, record["id"])


def test_serve_demo_loads_nothing_into_a_store_that_has_events(demo: Samverkan) -> None:
    before = demo.events.recorder.max_notification_id()
    assert load_demo(demo, only_if_empty=True) == 0
    assert demo.events.recorder.max_notification_id() == before


def test_the_cli_loads_the_demo_and_the_api_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMVERKAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SAMVERKAN_RATE_LIMIT", "off")
    monkeypatch.delenv("SAMVERKAN_DATABASE_URL", raising=False)
    # structlog would keep writing to the runner's captured stderr after it is closed.
    monkeypatch.setattr(cli_main, "configure_logging", lambda settings: None)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["demo", "load"])
        assert result.exit_code == 0, result.output
        settings = get_settings()
        token = TokenIssuer(settings).issue("demo.auditor", Role.AUDITOR, "*")
        with TestClient(create_app(settings=settings)) as client:
            listed = client.get(
                "/api/v1/issues",
                params={"municipality": "2462", "limit": 500},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert listed.status_code == 200
        assert any("Fjällnäs" in i["title"] for i in listed.json()["items"])
    finally:
        get_settings.cache_clear()


def test_the_demo_has_places_services_impact_a_replica_plans_and_contacts(demo: Samverkan) -> None:
    from infrastructure.views.service_access import ServiceAccess

    ljusdal = Actor("demo.ljusdal.1", Role.CASEWORKER, "2161")
    access = ServiceAccess(demo.events).report(ljusdal, None, "groceries", 30.0)
    assert {i["name"] for i in access if i["beyond"]} >= {"Ramsjö"}
    assert all(
        s["name"].startswith("[Demo]") for loc in rows(demo, "locality") for s in loc["services"]
    )
    assert any(d["service_impact"] for d in rows(demo, "decision") if d["municipality"] == "0685")
    replicas = [i for i in rows(demo, "issue") if i["modelled_on"]]
    assert [(i["municipality"], i["locality"]) for i in replicas] == [("2182", "Ljusne")]
    plans = rows(demo, "local_plan")
    assert {p["municipality"] for p in plans} == {"1081", "2062", "0685", "0840", "2417"}
    assert all(goal["issue_ids"] for p in plans for goal in p["goals"])  # no empty goal
    placed = {(loc["municipality"], loc["name"]) for loc in rows(demo, "locality")}
    assert {("0561", "Falerum"), ("0840", "Gårdby"), ("2182", "Trönö")} <= placed
    assert all(p["title"].startswith("[Demo]") for p in rows(demo, "local_plan"))
    assert {u["municipality"] for u in rows(demo, "unit")} == {"2080"}
