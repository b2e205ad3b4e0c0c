"""GET /api/v1/exports/timeline and `samverkan export timeline`, end to end."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.views.timeline import ENTRY_FIELDS
from interfaces.exports.as_json import TIMELINE_JSON_SCHEMA
from tests.e2e.conftest import SÖDERHAMN, TODAY, Headers, issue_body, task_force_body

PATH = "/api/v1/exports/timeline"
CALENDAR = "Samverkan \N{EN DASH} "
PRIVATE_NOTE = "Känsligt samtal med butiksägaren i Falerum"


@dataclass
class Programme:
    issue_id: str
    child_id: str
    task_force_id: str
    decision_id: str
    member_id: str
    lead_id: str


def build_programme(client: TestClient, caseworker: Headers, söderhamn: Headers) -> Programme:
    """Falerum's shop: a sub-issue, a task force whose lead hands over, a decision, an outcome."""

    def post(path: str, body: dict[str, object], headers: Headers = caseworker) -> dict:
        response = client.post(f"/api/v1/{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    issue_id = post("issues", issue_body())["id"]
    child_id = post(
        f"issues/{issue_id}/split",
        {"title": "Paketutlämning i Falerum", "description": "Ombud för paket", "category": "fuel"},
    )["id"]
    task_force_id = post("task-forces", task_force_body(issue_id))["id"]
    lead_id = client.get(f"/api/v1/task-forces/{task_force_id}", headers=caseworker).json()[
        "members"
    ][0]["member_id"]
    per = {"display_name": "Per Ström", "organisation": "Falerums byalag", "role": "kassör"}
    member_id = post(f"task-forces/{task_force_id}/members", per)["member_id"]
    post(f"task-forces/{task_force_id}/handover", {"to_member_id": member_id, "note": "Allt i A"})
    for text, public, day in ((PRIVATE_NOTE, False, "2025-03-05"), ("Byamöte", True, "2025-03-04")):
        note = {"kind": "meeting", "text": text, "occurred_on": day, "public": public}
        post(f"issues/{issue_id}/notes", note)
    decision = {
        "issue_id": issue_id,
        "title": "Servicepunkt i Falerum",
        "rationale": "Närmaste butik ligger tre mil bort.",
        "decision_body": "Kommunstyrelsen",
        "task_force_id": task_force_id,
    }
    decision_id = post("decisions", decision)["id"]
    post(f"decisions/{decision_id}/adopt", {"decided_on": "2025-06-10", "reference": "KS 2025/41"})
    outcome = {
        "issue_id": issue_id,
        "decision_ids": [decision_id],
        "summary": "Butiken har öppet sex dagar i veckan",
        "indicators": [{"name": "öppetdagar", "value": "6", "unit": "dagar/vecka"}],
        "observed_on": "2025-09-01",
    }
    post("outcomes", outcome)
    post("issues", issue_body(municipality=SÖDERHAMN, locality="Trönö"), söderhamn)
    return Programme(issue_id, child_id, task_force_id, decision_id, member_id, lead_id)


@pytest.fixture
def programme(client: TestClient, caseworker: Headers, auth: Callable[..., Headers]) -> Programme:
    return build_programme(client, caseworker, auth("lars.nord", "caseworker", SÖDERHAMN))


@pytest.fixture
def evaluator(auth: Callable[..., Headers]) -> Headers:
    return auth("forskare.1", "evaluator", "*")


def items(client: TestClient, headers: Headers, **params: str) -> list[dict]:
    response = client.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_json_is_one_document_valid_against_its_schema_and_sorted_by_date(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    response = client.get(PATH, headers=caseworker)
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    jsonschema.Draft202012Validator(TIMELINE_JSON_SCHEMA).validate(document)
    dates = [item["date"] for item in document["items"]]
    assert dates == sorted(dates)
    assert dates[0] == "2025-03-04"
    kinds = {item["kind"] for item in document["items"]}
    assert {"issue_split", "lead_handed_over", "decision_adopted", "outcome_recorded"} <= kinds
    assert {"task_force_due", "dialogue_noted"} <= kinds


def test_csv_parses_with_the_header_in_order_and_swedish_characters(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    response = client.get(PATH, params={"format": "csv"}, headers=caseworker)
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in response.headers["content-disposition"]
    records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert list(records[0]) == [*ENTRY_FIELDS, "registration_number"]  # an extra last column
    titles = {r["title"] for r in records}
    assert {"Butiken i Falerum kan stänga", "Butiken har öppet sex dagar i veckan"} <= titles
    due = next(r for r in records if r["kind"] == "task_force_due")
    assert (due["locality"], due["actor_role"]) == ("Falerum", "")


def test_ics_parses_with_deadlines_adoptions_and_observations_as_all_day_events(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    response = client.get(PATH, params={"format": "ics"}, headers=caseworker)
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == CALENDAR + "Åtvidaberg"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert sorted(uid.split("@")[0][37:] for uid in events) == ["adopted", "due", "observed"]
    assert f"{programme.task_force_id}-due@samverkan.se" in events
    adopted = events[f"{programme.decision_id}-adopted@samverkan.se"]
    assert adopted.decoded("DTSTART").isoformat() == "2025-06-10"
    assert str(adopted["SUMMARY"]) == "Beslut fattat: Servicepunkt i Falerum"


def test_a_calendar_app_subscribes_with_a_feed_token_in_the_url_for_ics_only(
    client: TestClient, evaluator: Headers, programme: Programme
) -> None:
    created = client.post(
        "/api/v1/feeds",
        json={"kind": "timeline", "params": {"municipality": "0561"}},
        headers=evaluator,
    )
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    feed = client.get(url)
    assert feed.status_code == 200
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 3
    token = dict(parse_qsl(urlsplit(url).query))["access_token"]
    as_json = client.get(PATH, params={"format": "json", "access_token": token})
    assert as_json.status_code == 401  # anywhere but its calendar feed, the token is refused
    forged = client.get(PATH, params={"format": "ics", "access_token": token[:-4] + "AAAA"})
    assert forged.status_code == 401
    bearer = evaluator["Authorization"].removeprefix("Bearer ")
    in_url = client.get(PATH, params={"format": "ics", "access_token": bearer})
    assert in_url.status_code == 401  # an API token is never accepted in a URL


def test_an_extension_moves_the_calendar_deadline_under_the_same_uid(
    client: TestClient, caseworker: Headers, programme: Programme
) -> None:
    later = TODAY + timedelta(days=400)
    client.post(
        f"/api/v1/task-forces/{programme.task_force_id}/extend",
        json={"due_on": later.isoformat(), "reason": "Byalaget behöver mer tid"},
        headers=caseworker,
    )
    calendar = Calendar.from_ical(
        client.get(PATH, params={"format": "ics"}, headers=caseworker).content
    )
    due = [e for e in calendar.walk("VEVENT") if str(e["UID"]).endswith("-due@samverkan.se")]
    assert [e.decoded("DTSTART") for e in due] == [later]


def test_an_evaluators_export_has_no_names_no_user_ids_and_no_private_notes(
    client: TestClient, evaluator: Headers, caseworker: Headers, programme: Programme
) -> None:
    secrets = ["Karin Berg", "Per Ström", "anna.lind", "lars.nord", programme.member_id]
    secrets += [programme.lead_id, PRIVATE_NOTE]
    for fmt in ("json", "csv", "ics", "html"):
        body = client.get(PATH, params={"format": fmt}, headers=evaluator).content.decode()
        for secret in secrets:
            assert secret not in body, (fmt, secret)
    seen = [i["date"] for i in items(client, evaluator) if i["kind"] == "dialogue_noted"]
    assert seen == ["2025-03-04"]
    all_notes = [i["date"] for i in items(client, caseworker) if i["kind"] == "dialogue_noted"]
    assert all_notes == ["2025-03-04", "2025-03-05"]


def test_the_evaluators_html_shows_the_handover_with_pseudonyms(
    client: TestClient, evaluator: Headers, caseworker: Headers, programme: Programme
) -> None:
    page = client.get(PATH, params={"format": "html"}, headers=evaluator).text
    assert re.search(r"Handläggare [2-9A-Z]{3} \(caseworker\) → Medlem [2-9A-Z]{3}", page)
    again = client.get(PATH, params={"format": "html"}, headers=evaluator).text
    assert again == page  # the same labels for the same evaluator, every time
    operator = client.get(PATH, params={"format": "html"}, headers=caseworker).text
    assert "anna.lind (caseworker) → Per Ström" in operator


def test_filters_issue_with_sub_issues_category_dates_and_municipality(
    client: TestClient, caseworker: Headers, evaluator: Headers, programme: Programme
) -> None:
    tree = items(client, caseworker, issue_id=programme.issue_id)
    assert {i["issue_id"] for i in tree} == {programme.issue_id, programme.child_id}
    child = items(client, caseworker, issue_id=programme.child_id)
    assert {i["issue_id"] for i in child} == {programme.child_id}
    fuel = items(client, caseworker, category="fuel")
    assert {i["title"] for i in fuel} == {"Paketutlämning i Falerum"}
    summer = items(client, caseworker, **{"from": "2025-06-10", "to": "2025-09-01"})
    assert [i["kind"] for i in summer] == ["decision_adopted", "outcome_recorded"]
    trönö = items(client, evaluator, municipality=SÖDERHAMN)
    assert {i["locality"] for i in trönö} == {"Trönö"}
    assert {i["municipality"] for i in items(client, evaluator)} == {"0561", SÖDERHAMN}


def test_a_caseworker_never_sees_another_municipality(
    client: TestClient, auth: Callable[..., Headers], programme: Programme
) -> None:
    söderhamn = auth("lars.nord", "caseworker", SÖDERHAMN)
    assert {i["municipality"] for i in items(client, söderhamn)} == {SÖDERHAMN}
    assert items(client, söderhamn, municipality="0561") == []
    foreign = client.get(PATH, params={"issue_id": programme.issue_id}, headers=söderhamn)
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "query.format"),
        ({"lang": "de"}, "query.lang"),
        ({"from": "2025-13-01"}, "query.from"),
        ({"to": "0"}, "query.to"),
        ({"from": "2025-06-01", "to": "2025-05-01"}, "query.to"),
        ({"municipality": "561"}, "query.municipality"),
        ({"issue_id": "not-a-uuid"}, "query.issue_id"),
        ({"category": "bakery"}, "query.category"),
    ],
)
def test_invalid_parameters_are_422_problems_naming_the_field(
    client: TestClient, caseworker: Headers, params: dict[str, str], field: str
) -> None:
    response = client.get(PATH, params=params, headers=caseworker)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


def test_an_unknown_issue_is_404_and_no_token_is_401(
    client: TestClient, caseworker: Headers
) -> None:
    unknown = {"issue_id": "00000000-0000-4000-8000-000000000000"}
    assert client.get(PATH, params=unknown, headers=caseworker).status_code == 404
    assert client.get(PATH).status_code == 401


def test_openapi_declares_the_four_media_types_the_schema_and_the_errors(
    client: TestClient,
) -> None:
    operation = client.get("/openapi.json").json()["paths"][PATH]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "text/calendar", "text/html"} <= set(content)
    assert content["application/json"]["schema"]["properties"]["items"]["items"]["required"] == [
        *ENTRY_FIELDS
    ]
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "format", "lang"}


def samverkan_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The real command in its own process, on the same store as the running app."""
    env = {**os.environ, "SAMVERKAN_VAR_DIR": str(settings.var_dir), "SAMVERKAN_LOG_FORMAT": "json"}
    env.pop("SAMVERKAN_DATABASE_URL", None)
    command = [sys.executable, "-m", "interfaces.cli.main", "export", "timeline", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)


def test_the_cli_exports_with_names_by_default_and_pseudonyms_when_asked(
    programme: Programme, api_settings: Settings, tmp_path: Path
) -> None:
    named, pseudonymised = tmp_path / "named.html", tmp_path / "pseudonymised.html"
    for target, extra in ((named, []), (pseudonymised, ["--pseudonymise"])):
        result = samverkan_cli(api_settings, "--format", "html", "-o", str(target), *extra)
        assert result.returncode == 0, result.stderr
        assert result.stdout == b""
    assert "Per Ström" in named.read_text() and "anna.lind" in named.read_text()
    hidden = pseudonymised.read_text()
    assert "Per Ström" not in hidden and "anna.lind" not in hidden and "Medlem " in hidden


def test_the_cli_writes_csv_for_one_issue_to_stdout(
    programme: Programme, api_settings: Settings
) -> None:
    result = samverkan_cli(api_settings, "--issue", programme.child_id, "--format", "csv")
    assert result.returncode == 0, result.stderr
    records = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"), newline="")))
    assert records[0] == [*ENTRY_FIELDS, "registration_number"]
    assert {r[4] for r in records[1:]} == {programme.child_id}


def test_the_cli_json_for_a_municipality_matches_the_schema(
    programme: Programme, api_settings: Settings
) -> None:
    result = samverkan_cli(api_settings, "--municipality", SÖDERHAMN)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(TIMELINE_JSON_SCHEMA).validate(document)
    assert {i["locality"] for i in document["items"]} == {"Trönö"}


def test_the_cli_refuses_an_unknown_issue_with_a_message(api_settings: Settings) -> None:
    bootstrap(api_settings).close()
    result = samverkan_cli(api_settings, "--issue", "00000000-0000-4000-8000-000000000000")
    assert result.returncode == 1
    assert b"No issue" in result.stderr and result.stdout == b""


def test_the_cli_never_exports_from_a_store_it_would_have_to_create(api_settings: Settings) -> None:
    result = samverkan_cli(api_settings)
    assert result.returncode == 2
    assert b"There is no store here" in result.stderr
    assert str(api_settings.var_dir.resolve()).encode() in result.stderr
    assert not (api_settings.var_dir / "samverkan.db").exists()
