"""The access matrix: every route of the app x every role x own, foreign and national scope.

Routes come from `app.routes`, so a new route is covered the moment it is registered, and a
route missing from EXPECTED fails with a message naming it. Each cell is sent for real against
records that exist: a fresh target in Åtvidaberg (0561) for each command cell, a shared set in
0561 and Söderhamn (2182) for reads. Every 2xx answer is also searched for leaks: ids of records
outside the caller's scope, and, for evaluators, names, user ids and non-public notes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.e2e.conftest import SÖDERHAMN, TODAY, ÅTVIDABERG, issue_body, task_force_body

Headers = dict[str, str]
Json = dict[str, Any]


# --- who calls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """One column of the matrix: a role acting in the records' municipality, another, or `*`."""

    role: Role | None  # None: no token at all
    scope: str  # "own" (0561, where the targets are), "foreign" (2182), "national" (*)

    @property
    def municipality(self) -> str:
        return {"own": ÅTVIDABERG, "foreign": SÖDERHAMN, "national": "*"}[self.scope]

    @property
    def user(self) -> str:
        return f"matrix.{self.role}.{self.scope}"

    @property
    def writes(self) -> bool:
        return self.role in (Role.CASEWORKER, Role.ADMIN)

    def __str__(self) -> str:
        return f"{self.role or 'anonymous'}@{self.scope}"


CALLERS = [
    Caller(None, "none"),
    *(Caller(role, scope) for role in Role for scope in ("own", "foreign")),
    Caller(Role.AUDITOR, "national"),
    Caller(Role.EVALUATOR, "national"),
]


# --- what each caller may expect: one rule per kind of route ----------------------------------


Expect = Callable[[Caller], int]


def public(caller: Caller) -> int:
    return 200


def read_record(caller: Caller) -> int:
    """Views: every role reads; a foreign record is exactly as missing as a missing one."""
    if caller.role is None:
        return 401
    return 404 if caller.scope == "foreign" else 200


def read_list(caller: Caller) -> int:
    """Lists, exports, insights: every role, always 200, only ever holding the caller's scope."""
    return 401 if caller.role is None else 200


def history(caller: Caller) -> int:
    """History and time travel: caseworkers (own records), auditors and admins; no evaluators."""
    if caller.role is None:
        return 401
    if caller.role == Role.EVALUATOR:
        return 403
    return 404 if caller.scope == "foreign" else 200


def audit_log(caller: Caller) -> int:
    """The global log and its verification: auditors and admins, in any scope."""
    if caller.role is None:
        return 401
    return 200 if caller.role in (Role.AUDITOR, Role.ADMIN) else 403


def contacts(caller: Caller) -> int:
    """Personal data: caseworkers and admins read their own municipality's contacts only."""
    if caller.role is None:
        return 401
    return 200 if caller.writes else 403


def subscribe(caller: Caller) -> int:
    return 401 if caller.role is None else 201


def revoke_feed(caller: Caller) -> int:
    """The feed is a caseworker's of 0561: only an admin of 0561 may revoke it, besides her."""
    if caller.role is None:
        return 401
    return 200 if (caller.role, caller.scope) == (Role.ADMIN, "own") else 404


def command(success: int, foreign: int = 404) -> Expect:
    """Writers act on their own municipality's records; a foreign target is 404 (or `foreign`)."""

    def expect(caller: Caller) -> int:
        if caller.role is None:
            return 401
        if not caller.writes:
            return 403
        return foreign if caller.scope == "foreign" else success

    expect.__name__ = f"command_{success}_{foreign}"
    return expect


# --- records the cells act on ------------------------------------------------------------------


@dataclass
class Seeder:
    """Creates records in one municipality as one of its caseworkers, through the API."""

    client: TestClient
    headers: Headers
    municipality: str
    user: str
    counter: Iterator[int] = field(default_factory=itertools.count)

    def post(self, path: str, body: Json, expect: int = 201) -> Json:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code == expect, f"seeding {path}: {response.text}"
        return response.json()  # type: ignore[no-any-return]

    def issue(self, **overrides: Any) -> str:
        body = issue_body(municipality=self.municipality, **overrides)
        return str(self.post("/api/v1/issues", body)["id"])

    def task_force(self, issue_id: str | None = None, **overrides: Any) -> str:
        body = task_force_body(issue_id or self.issue(), **overrides)
        return str(self.post("/api/v1/task-forces", body)["id"])

    def member(self, task_force_id: str, name: str = "Nils Holm") -> str:
        body = {"display_name": name, "organisation": "Falerums byalag", "role": "kassör"}
        answer = self.post(f"/api/v1/task-forces/{task_force_id}/members", body, expect=200)
        return str(answer["member_id"])

    def decision(self, issue_id: str | None = None, adopted: bool = False) -> str:
        body = {
            "issue_id": issue_id or self.issue(),
            "title": "Servicepunkt i Falerum",
            "rationale": "Byn saknar ombud för paket och apoteksvaror.",
            "decision_body": "Kommunstyrelsen",
        }
        decision_id = str(self.post("/api/v1/decisions", body)["id"])
        if adopted:
            adoption = {
                "decided_on": TODAY.isoformat(),
                "reference": f"KS 2024/{next(self.counter)}",
            }
            self.post(f"/api/v1/decisions/{decision_id}/adopt", adoption, expect=200)
        return decision_id

    def outcome(self, issue_id: str | None = None) -> str:
        body = {
            "issue_id": issue_id or self.issue(),
            "decision_ids": [],
            "summary": "Servicepunkten öppnade i byns affär.",
            "indicators": [{"name": "öppettimmar per vecka", "value": "40", "unit": "timmar"}],
            "observed_on": TODAY.isoformat(),
        }
        return str(self.post("/api/v1/outcomes", body)["id"])

    def closed_issue(self) -> str:
        issue_id = self.issue()
        self.post(f"/api/v1/issues/{issue_id}/close", {"reason": "Dubblett."}, expect=200)
        return issue_id

    def departing_user(self) -> str:
        """A user responsible for a fresh issue, about to leave."""
        user = f"lena.ek.{next(self.counter)}"
        issue_id = self.issue()
        assignment = {"unit": "Näringsliv", "role": "bygdelots", "user_id": user}
        response = self.client.put(
            f"/api/v1/issues/{issue_id}/responsibility", json=assignment, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return user


@dataclass(frozen=True)
class Call:
    """What a cell sends: path parameters, a body, query parameters."""

    params: dict[str, str] = field(default_factory=dict)
    body: Json | None = None
    query: dict[str, str] = field(default_factory=dict)


Prepare = Callable[[Seeder], Call]


def on_issue(body: Json, issue: Callable[[Seeder], str] = Seeder.issue) -> Prepare:
    return lambda s: Call({"issue_id": issue(s)}, body)


def on_task_force(body: Json | Callable[[Seeder, str], Json]) -> Prepare:
    def prepare(s: Seeder) -> Call:
        task_force_id = s.task_force()
        made = body(s, task_force_id) if callable(body) else body
        return Call({"task_force_id": task_force_id}, made)

    return prepare


def on_decision(body: Json | Callable[[Seeder], Json], adopted: bool = False) -> Prepare:
    def prepare(s: Seeder) -> Call:
        decision_id = s.decision(adopted=adopted)
        return Call({"decision_id": decision_id}, body(s) if callable(body) else body)

    return prepare


def on_outcome(body: Json) -> Prepare:
    return lambda s: Call({"outcome_id": s.outcome()}, body)


def removal(s: Seeder) -> Call:
    task_force_id = s.task_force()
    return Call({"task_force_id": task_force_id, "member_id": s.member(task_force_id)})


def seeded_feed(s: Seeder) -> Call:
    feed = s.post("/api/v1/feeds", {"kind": "dialogue-cycle"})
    return Call(params={"feed_id": feed["id"]})


def supersession(s: Seeder) -> Call:
    issue_id = s.issue()
    old, new = s.decision(issue_id, adopted=True), s.decision(issue_id, adopted=True)
    return Call({"decision_id": old}, {"by_decision_id": new})


def staff_handover(s: Seeder) -> Call:
    body = {"to_user": "karin.berg", "note": "Lena går i pension; Karin tar över kontakterna."}
    return Call({"user_id": s.departing_user()}, body)


def dialogue_plan(s: Seeder) -> Call:
    body = {"every_months": 4, "partner": "Falerums byalag"}
    return Call({"locality": f"Byn {next(s.counter)}"}, body)


def staff_leave(s: Seeder) -> Call:
    body = {"starts_on": TODAY.isoformat(), "note": "Föräldraledig; Karin svarar för byarna."}
    return Call({"user_id": f"lisa.berg.{next(s.counter)}"}, body)


def staff_return(s: Seeder) -> Call:
    """A user on leave in 0561: a foreign writer, acting at home, finds nobody to return."""
    user = f"lisa.berg.{next(s.counter)}"
    s.post(f"/api/v1/staff/{user}/leave", staff_leave(s).body or {}, expect=200)
    return Call({"user_id": user}, {"note": "Tillbaka från ledigheten."})


FOLLOW_UP = {"due_on": TODAY.isoformat(), "note": "Ring byalaget om lokalen."}


def follow_up_to_clear(s: Seeder) -> Call:
    issue_id = s.issue()
    response = s.client.put(
        f"/api/v1/issues/{issue_id}/follow-up", json=FOLLOW_UP, headers=s.headers
    )
    assert response.status_code == 200, response.text
    return Call({"issue_id": issue_id})


def a_locality(s: Seeder, name: str | None = None) -> str:
    """A registered locality in the seeder's municipality, with fresh name unless one is given."""
    body = {
        "municipality": s.municipality,
        "name": name or f"Ort {next(s.counter)}",
        "kind": "by",
        "population": 120,
        "latitude": 58.02,
        "longitude": 16.01,
    }
    return str(s.post("/api/v1/localities", body)["id"])


def a_plan(s: Seeder, issue_id: str) -> str:
    body = {
        "municipality": s.municipality,
        "locality": "Falerum",
        "year": 2025,
        "title": "Lokal utvecklingsplan",
        "goals": [{"text": "En levande by med service.", "issue_ids": [issue_id]}],
    }
    return str(s.post("/api/v1/plans", body)["id"])


def a_unit(s: Seeder) -> str:
    body = {"municipality": s.municipality, "name": "Samhällsbyggnad", "categories": ["fuel"]}
    return str(s.post("/api/v1/units", body)["id"])


def a_service(s: Seeder, locality_id: str) -> str:
    body = {"kind": "groceries", "name": "Lanthandeln", "opened_on": "2019-05-01"}
    answer = s.post(f"/api/v1/localities/{locality_id}/services", body, expect=200)
    return str(answer["service_id"])


def on_locality(body: Json) -> Prepare:
    return lambda s: Call({"locality_id": a_locality(s)}, body)


def service_closing(s: Seeder) -> Call:
    locality_id = a_locality(s)
    body = {"closed_on": "2024-08-31", "reason": "Handlaren gick i pension."}
    return Call({"locality_id": locality_id, "service_id": a_service(s, locality_id)}, body)


REASON = {"reason": "Byalaget drog tillbaka frågan."}
# Well formed, but signed by nobody: any reader who may ask gets 200 and "not consistent".
FORGED = {
    "position": 1,
    "hash": "00" * 32,
    "signed_at": "2026-01-01T00:00:00+00:00",
    "key_id": "0123456789abcdef",
    "signature": "AAAA",
}
LATER = (TODAY + timedelta(days=120)).isoformat()


@dataclass(frozen=True)
class Rule:
    expect: Expect
    prepare: Prepare | None = None  # commands: a fresh target in 0561; reads use the shared set
    query: dict[str, str] = field(default_factory=dict)


ISS, TFS, DEC, OUT = (
    "/api/v1/issues",
    "/api/v1/task-forces",
    "/api/v1/decisions",
    "/api/v1/outcomes",
)
OK, CREATED = command(200), command(201)

EXPECTED: dict[tuple[str, str], Rule] = {
    # operations and documentation: no token needed
    ("GET", "/health/live"): Rule(public),
    ("GET", "/health/ready"): Rule(public),
    ("GET", "/metrics"): Rule(public),
    ("GET", "/openapi.json"): Rule(public),
    ("GET", "/docs"): Rule(public),
    # Swagger UI's own assets, served from the fastapi-swagger package (no CDN)
    ("GET", "/docs/assets/swagger-ui-bundle.js"): Rule(public),
    ("GET", "/docs/assets/swagger-ui.css"): Rule(public),
    ("GET", "/docs/assets/favicon-32x32.png"): Rule(public),
    # issues
    ("POST", ISS): Rule(
        command(201, foreign=403), lambda s: Call(body=issue_body(municipality=ÅTVIDABERG))
    ),
    ("GET", ISS): Rule(read_list),
    ("GET", f"{ISS}/{{issue_id}}"): Rule(read_record),
    ("PATCH", f"{ISS}/{{issue_id}}"): Rule(OK, on_issue({"title": "Butiken i Falerum räddad?"})),
    ("PUT", f"{ISS}/{{issue_id}}/responsibility"): Rule(
        OK, on_issue({"unit": "Näringsliv", "role": "bygdelots", "user_id": "karin.berg"})
    ),
    ("POST", f"{ISS}/{{issue_id}}/notes"): Rule(
        OK,
        on_issue({"kind": "meeting", "text": "Möte i bygdegården.", "occurred_on": "2024-05-02"}),
    ),
    ("POST", f"{ISS}/{{issue_id}}/split"): Rule(
        CREATED, on_issue({"title": "Drivmedel i Falerum", "description": "Macken stänger."})
    ),
    ("POST", f"{ISS}/{{issue_id}}/resolve"): Rule(
        OK, on_issue({"summary": "Ny handlare tog över."})
    ),
    ("POST", f"{ISS}/{{issue_id}}/close"): Rule(OK, on_issue(REASON)),
    ("POST", f"{ISS}/{{issue_id}}/reopen"): Rule(
        OK, on_issue({"reason": "Frågan kom tillbaka."}, Seeder.closed_issue)
    ),
    ("GET", f"{ISS}/{{issue_id}}/history"): Rule(history),
    # task forces
    ("POST", TFS): Rule(CREATED, lambda s: Call(body=task_force_body(s.issue()))),
    ("GET", TFS): Rule(read_list),
    ("GET", f"{TFS}/{{task_force_id}}"): Rule(read_record),
    ("POST", f"{TFS}/{{task_force_id}}/members"): Rule(
        OK, on_task_force({"display_name": "Eva Sjö", "organisation": "ICA", "role": "handlare"})
    ),
    ("DELETE", f"{TFS}/{{task_force_id}}/members/{{member_id}}"): Rule(OK, removal),
    ("POST", f"{TFS}/{{task_force_id}}/handover"): Rule(
        OK,
        on_task_force(
            lambda s, tf: {"to_member_id": s.member(tf), "note": "Nycklar och kontakter."}
        ),
    ),
    ("POST", f"{TFS}/{{task_force_id}}/extend"): Rule(
        OK, on_task_force({"due_on": LATER, "reason": "Upphandlingen drog ut på tiden."})
    ),
    ("POST", f"{TFS}/{{task_force_id}}/progress"): Rule(
        OK, on_task_force({"text": "Två handlare har visat intresse."})
    ),
    ("POST", f"{TFS}/{{task_force_id}}/complete"): Rule(
        OK, on_task_force({"summary": "Servicepunkten är på plats."})
    ),
    ("POST", f"{TFS}/{{task_force_id}}/disband"): Rule(OK, on_task_force(REASON)),
    ("GET", f"{TFS}/{{task_force_id}}/history"): Rule(history),
    # decisions
    ("POST", DEC): Rule(
        CREATED,
        lambda s: Call(
            body={
                "issue_id": s.issue(),
                "title": "Stöd till butiken",
                "rationale": "Närmaste butik ligger 35 km bort.",
                "decision_body": "Kommunstyrelsen",
            }
        ),
    ),
    ("GET", DEC): Rule(read_list),
    ("GET", f"{DEC}/{{decision_id}}"): Rule(read_record),
    ("POST", f"{DEC}/{{decision_id}}/adopt"): Rule(
        OK, on_decision({"decided_on": TODAY.isoformat(), "reference": "KS 2024/118"})
    ),
    ("POST", f"{DEC}/{{decision_id}}/reject"): Rule(OK, on_decision(REASON)),
    ("POST", f"{DEC}/{{decision_id}}/revoke"): Rule(OK, on_decision(REASON, adopted=True)),
    ("POST", f"{DEC}/{{decision_id}}/supersede"): Rule(OK, supersession),
    ("GET", f"{DEC}/{{decision_id}}/history"): Rule(history),
    # outcomes
    ("POST", OUT): Rule(
        CREATED,
        lambda s: Call(
            body={
                "issue_id": s.issue(),
                "decision_ids": [],
                "summary": "Butiken har öppet sex dagar i veckan.",
                "indicators": [],
                "observed_on": TODAY.isoformat(),
            }
        ),
    ),
    ("GET", OUT): Rule(read_list),
    ("GET", f"{OUT}/{{outcome_id}}"): Rule(read_record),
    ("POST", f"{OUT}/{{outcome_id}}/verify"): Rule(OK, on_outcome({"note": "Stämmer med kassan."})),
    ("POST", f"{OUT}/{{outcome_id}}/correct"): Rule(
        OK, on_outcome({"summary": "Öppet fem dagar i veckan.", "reason": "Felräknat."})
    ),
    ("POST", f"{OUT}/{{outcome_id}}/retract"): Rule(OK, on_outcome(REASON)),
    ("GET", f"{OUT}/{{outcome_id}}/history"): Rule(history),
    # audit (auditors and admins), exports and insights (every role, within scope)
    ("GET", "/api/v1/audit/events"): Rule(audit_log),
    ("GET", "/api/v1/audit/verify"): Rule(audit_log),
    ("GET", "/api/v1/audit/checkpoint"): Rule(audit_log),
    ("GET", "/api/v1/audit/checkpoint-key"): Rule(audit_log),
    ("POST", "/api/v1/audit/checkpoint/verify"): Rule(audit_log, lambda s: Call(body=FORGED)),
    # calendar feeds: anyone may subscribe; a feed is revoked by its owner or a local admin
    ("POST", "/api/v1/feeds"): Rule(subscribe, lambda s: Call(body={"kind": "timeline"})),
    ("DELETE", "/api/v1/feeds/{feed_id}"): Rule(revoke_feed, seeded_feed),
    ("GET", "/api/v1/exports/timeline"): Rule(read_list),
    ("GET", "/api/v1/insights/person-dependency"): Rule(read_list),
    ("GET", "/api/v1/insights/dialogue-cycle"): Rule(read_list),
    ("GET", "/api/v1/insights/dialogue-cycle.ics"): Rule(read_list),
    # staff handovers and dialogue plans act on the caller's own municipality: a user id or a
    # locality name is not a record, so a foreign writer acts at home and sees nothing of 0561
    ("POST", "/api/v1/staff/{user_id}/handover"): Rule(command(200, foreign=200), staff_handover),
    ("PUT", "/api/v1/localities/{locality}/dialogue-plan"): Rule(
        command(201, foreign=201), dialogue_plan
    ),
    ("GET", "/api/v1/localities/{locality}/dialogue-plan"): Rule(
        read_record, query={"municipality": ÅTVIDABERG}
    ),
    # leave and return act on the caller's own municipality, like handovers; returning a user
    # who is on leave only in 0561 finds nobody on leave at home (409)
    ("POST", "/api/v1/staff/{user_id}/leave"): Rule(command(200, foreign=200), staff_leave),
    ("POST", "/api/v1/staff/{user_id}/return"): Rule(command(200, foreign=409), staff_return),
    ("GET", "/api/v1/staff"): Rule(read_list),
    # follow-ups (bevakning)
    ("PUT", f"{ISS}/{{issue_id}}/follow-up"): Rule(OK, on_issue(FOLLOW_UP)),
    ("DELETE", f"{ISS}/{{issue_id}}/follow-up"): Rule(OK, follow_up_to_clear),
    ("GET", "/api/v1/follow-ups"): Rule(read_list),
}


# --- daily case work: corrections and retiring a dialogue plan ---------------------------------


def on_note(body: Json) -> Prepare:
    """A fresh issue with one note; the cell names the note by its `note_id`."""

    def prepare(s: Seeder) -> Call:
        issue_id = s.issue()
        note = {"kind": "phone", "text": "Samtal med handlaren.", "occurred_on": "2024-05-02"}
        s.post(f"/api/v1/issues/{issue_id}/notes", note, expect=200)
        view = s.client.get(f"/api/v1/issues/{issue_id}", headers=s.headers).json()
        return Call({"issue_id": issue_id, "note_id": view["notes"][-1]["note_id"]}, body)

    return prepare


def planned_locality(s: Seeder) -> Call:
    """A locality planned in 0561: a foreign writer retires in 2182, where it has no plan."""
    call = dialogue_plan(s)
    path = f"/api/v1/localities/{call.params['locality']}/dialogue-plan"
    assert s.client.put(path, json=call.body, headers=s.headers).status_code == 201
    return Call(call.params)


EXPECTED.update(
    {
        ("POST", f"{ISS}/{{issue_id}}/notes/{{note_id}}/correct"): Rule(
            OK, on_note({"text": "Samtal med handlaren i Falerum.", "reason": "Fel ort."})
        ),
        ("POST", f"{ISS}/{{issue_id}}/notes/{{note_id}}/withdraw"): Rule(
            OK, on_note({"reason": "Antecknad i fel ärende."})
        ),
        ("POST", f"{DEC}/{{decision_id}}/correct"): Rule(
            OK,
            on_decision({"decided_on": "2024-01-20", "reason": "Fel datum angavs."}, adopted=True),
        ),
        ("DELETE", "/api/v1/localities/{locality}/dialogue-plan"): Rule(
            command(200, foreign=404), planned_locality
        ),
    }
)


# --- personal data: subjects (caseworkers, admins), extracts and gallring (admins) ------------


def roles_at_home(*roles: Role, success: int = 200, foreign: int = 200) -> Expect:
    """Only `roles`, in their own municipality; a foreign id is `foreign` (404 for records)."""

    def expect(caller: Caller) -> int:
        if caller.role is None:
            return 401
        if caller.role not in roles or caller.scope == "national":
            return 403
        return foreign if caller.scope == "foreign" else success

    expect.__name__ = f"roles_at_home_{'_'.join(roles)}"
    return expect


def gallring_of_an_issue(s: Seeder) -> Call:
    body = {"decision_reference": "KS 2026/9 §3", "reason": "Gallring enligt plan."}
    return Call(body={**body, "record_ids": [s.closed_issue()]})


EXPECTED |= {
    ("GET", "/api/v1/subjects"): Rule(roles_at_home(Role.CASEWORKER, Role.ADMIN)),
    ("GET", "/api/v1/subjects/{subject_id}/extract"): Rule(roles_at_home(Role.ADMIN, foreign=404)),
    ("PUT", "/api/v1/retention/{category}"): Rule(
        roles_at_home(Role.ADMIN), lambda s: Call({"category": "fuel"}, {"keep_years": 10})
    ),
    ("GET", "/api/v1/retention"): Rule(roles_at_home(Role.ADMIN)),
    ("GET", "/api/v1/gallring/due"): Rule(roles_at_home(Role.ADMIN)),
    ("POST", "/api/v1/gallring"): Rule(
        roles_at_home(Role.ADMIN, foreign=404), gallring_of_an_issue
    ),
}
LOC = "/api/v1/localities"
EXPECTED.update(
    {
        # localities and their services: registered in the caller's municipality, like issues
        ("POST", LOC): Rule(
            command(201, foreign=403),
            lambda s: Call(
                body={
                    "municipality": ÅTVIDABERG,
                    "name": f"Ort {next(s.counter)}",
                    "latitude": 58.0,
                    "longitude": 16.0,
                }
            ),
        ),
        ("GET", LOC): Rule(read_list),
        ("GET", f"{LOC}/{{locality_id}}"): Rule(read_record),
        ("GET", f"{LOC}/{{locality_id}}/history"): Rule(history),
        ("POST", f"{LOC}/{{locality_id}}/services"): Rule(
            OK, on_locality({"kind": "fuel", "name": "Macken", "operator": "OKQ8"})
        ),
        ("POST", f"{LOC}/{{locality_id}}/services/{{service_id}}/close"): Rule(OK, service_closing),
        ("GET", "/api/v1/insights/service-access"): Rule(read_list),
        ("GET", "/api/v1/insights/service-impact"): Rule(read_list),
        ("POST", f"{ISS}/{{issue_id}}/replicate"): Rule(CREATED, on_issue({"locality": "Grebo"})),
        ("POST", "/api/v1/plans"): Rule(
            command(201, foreign=403),
            lambda s: Call(
                body={
                    "municipality": ÅTVIDABERG,
                    "year": 2025,
                    "title": "Handlingsplan Falerum 2025",
                    "goals": [{"text": "Behåll butiken.", "issue_ids": [s.issue()]}],
                }
            ),
        ),
        ("GET", "/api/v1/plans"): Rule(read_list),
        ("POST", "/api/v1/units"): Rule(
            command(201, foreign=403),
            lambda s: Call(
                body={"municipality": ÅTVIDABERG, "name": "Näringslivsenheten", "categories": []}
            ),
        ),
        ("POST", "/api/v1/units/{unit_id}/contacts"): Rule(
            OK,
            lambda s: Call(
                {"unit_id": a_unit(s)},
                {"display_name": "Eva Sjö", "role": "näringslivsutvecklare", "phone": "023-82000"},
            ),
        ),
        ("GET", "/api/v1/contacts"): Rule(contacts),
        ("GET", "/api/v1/insights/indicators"): Rule(read_list),
        ("GET", "/api/v1/plans/{plan_id}"): Rule(read_record),
        ("GET", "/api/v1/plans/{plan_id}/history"): Rule(history),
    }
)


# --- the shared world --------------------------------------------------------------------------

PRIVATE_NOTE = "Privat: Karin Bergs mobilnummer 070-123 45 67"
PERSONAL = ["Karin Berg", "Nils Holm", "Maja Lund", "sara.nord", "per.sund", PRIVATE_NOTE]


# Sekretess: read only by caseworkers and admins of the municipality, even when public.
def secret_note(municipality: str) -> str:
    return f"Sekretess {municipality}: hyresgästens skulder hos kommunen"


SECRET_READERS = (Role.CASEWORKER, Role.ADMIN)


@dataclass
class World:
    app: FastAPI
    client: TestClient
    issuer: TokenIssuer
    seeders: dict[str, Seeder]
    ids: dict[str, dict[str, str]]  # municipality -> path parameter -> id

    def headers(self, caller: Caller) -> Headers:
        if caller.role is None:
            return {}
        token = self.issuer.issue(caller.user, caller.role, caller.municipality)
        return {"Authorization": f"Bearer {token}"}


def build_records(seeder: Seeder, lead: str, locality: str) -> dict[str, str]:
    issue_id = seeder.issue(locality=locality)
    note = {"kind": "phone", "text": PRIVATE_NOTE, "occurred_on": "2024-02-01"}
    seeder.post(f"/api/v1/issues/{issue_id}/notes", note, expect=200)
    secret = {**note, "text": secret_note(seeder.municipality), "public": True}
    secret["confidential"] = {"lagrum": "OSL 21 kap. 7 §"}
    seeder.post(f"/api/v1/issues/{issue_id}/notes", secret, expect=200)
    notes = seeder.client.get(f"/api/v1/issues/{issue_id}", headers=seeder.headers).json()
    (secret_id,) = [n["note_id"] for n in notes["notes"] if n.get("lagrum")]
    correction = {  # as secret as the note: its text and reason name the secret
        "text": f"{secret_note(seeder.municipality)} (rättad)",
        "reason": f"Rättat: {secret_note(seeder.municipality)}",
    }
    seeder.post(f"/api/v1/issues/{issue_id}/notes/{secret_id}/correct", correction, expect=200)
    user = seeder.user
    assignment = {"unit": "Näringsliv", "role": "bygdelots", "user_id": user}
    seeder.client.put(
        f"/api/v1/issues/{issue_id}/responsibility", json=assignment, headers=seeder.headers
    )
    lead_person = {"display_name": lead, "organisation": "Kommunen", "role": "strateg"}
    task_force_id = seeder.task_force(issue_id, lead=lead_person)
    member_id = seeder.member(task_force_id)
    subjects = seeder.client.get(f"/api/v1/subjects?q={lead}", headers=seeder.headers).json()
    decision_id = seeder.decision(issue_id, adopted=True)
    outcome_id = seeder.outcome(issue_id)
    plan = {"every_months": 4, "partner": "Byalaget"}
    seeder.client.put(
        f"/api/v1/localities/{locality}/dialogue-plan", json=plan, headers=seeder.headers
    )
    return {
        "issue_id": issue_id,
        "task_force_id": task_force_id,
        "member_id": member_id,
        "decision_id": decision_id,
        "outcome_id": outcome_id,
        "subject_id": subjects["items"][0]["subject_id"],
        "user_id": user,
        "locality": locality,
        "locality_id": a_locality(seeder, f"{locality} by"),
        "plan_id": a_plan(seeder, issue_id),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = settings_for("sqlite", tmp_path_factory.mktemp("matrix") / "var")
    issuer = TokenIssuer(settings)
    app = create_app(settings=settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        seeders = {}
        for code, user in ((ÅTVIDABERG, "sara.nord"), (SÖDERHAMN, "per.sund")):
            token = issuer.issue(user, Role.CASEWORKER, code)
            seeders[code] = Seeder(client, {"Authorization": f"Bearer {token}"}, code, user)
        ids = {
            ÅTVIDABERG: build_records(seeders[ÅTVIDABERG], "Karin Berg", "Falerum"),
            SÖDERHAMN: build_records(seeders[SÖDERHAMN], "Maja Lund", "Stugsund"),
        }
        yield World(app, client, issuer, seeders, ids)


def routes_of(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, through included routers too."""
    found = set()
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or ()
        found.update((m, str(context.path)) for m in methods if m != "HEAD")
    return sorted(found, key=lambda r: (r[1], r[0]))


# --- the cells ---------------------------------------------------------------------------------


def run_cell(
    world: World, method: str, path: str, caller: Caller, rule: Rule | None = None
) -> str | None:
    """Sends one cell; returns what went wrong, or None."""
    rule = rule or EXPECTED[(method, path)]
    expected = rule.expect(caller)
    call = rule.prepare(world.seeders[ÅTVIDABERG]) if rule.prepare else Call()
    params = {**world.ids[ÅTVIDABERG], **call.params}
    response = world.client.request(
        method,
        path.format(**params),
        json=call.body,
        params={**rule.query, **call.query},
        headers=world.headers(caller),
    )
    where = f"{method} {path}?{rule.query} as {caller}"
    if response.status_code != expected:
        return f"{where}: expected {expected}, got {response.status_code} {response.text[:200]}"
    if (
        response.status_code >= 400
        and response.headers["content-type"] != "application/problem+json"
    ):
        return f"{where}: a {response.status_code} that is not problem+json"
    if response.status_code < 300:
        return leak(world, caller, response.text, where)
    return None


def leak(world: World, caller: Caller, text: str, where: str) -> str | None:
    hidden: list[str] = []
    if caller.scope in ("own", "foreign"):
        other = SÖDERHAMN if caller.scope == "own" else ÅTVIDABERG
        hidden += [v for k, v in world.ids[other].items() if k.endswith("_id") and k != "user_id"]
    if caller.role == Role.EVALUATOR:
        hidden += PERSONAL
    for code in (ÅTVIDABERG, SÖDERHAMN):
        if caller.role not in SECRET_READERS or caller.municipality != code:
            hidden.append(secret_note(code))
    shown = [value for value in hidden if value in text]
    return f"{where}: leaked {shown}" if shown else None


def test_every_route_of_the_app_has_an_expectation(world: World) -> None:
    missing = [f"{m} {p}" for m, p in routes_of(world.app) if (m, p) not in EXPECTED]
    assert not missing, (
        "Routes without a row in EXPECTED of tests/e2e/test_access_matrix.py; add one saying "
        "which roles may call them: " + ", ".join(missing)
    )


@pytest.mark.parametrize("caller", CALLERS, ids=str)
def test_every_route_answers_each_caller_as_the_policy_says(world: World, caller: Caller) -> None:
    routes = [r for r in routes_of(world.app) if r in EXPECTED]
    failures = [f for m, p in routes if (f := run_cell(world, m, p, caller)) is not None]
    assert not failures, f"{len(failures)} of {len(routes)} cells differ:\n" + "\n".join(failures)


def test_the_matrix_size(world: World) -> None:
    """The closing note reports this number: every present route x every caller."""
    cells = len([r for r in routes_of(world.app) if r in EXPECTED]) * len(CALLERS)
    print(f"\naccess matrix: {cells} cells ({len(CALLERS)} callers)")
    assert cells >= 40 * len(CALLERS)


TIME_TRAVEL = [
    f"{ISS}/{{issue_id}}",
    f"{TFS}/{{task_force_id}}",
    f"{DEC}/{{decision_id}}",
    f"{OUT}/{{outcome_id}}",
    "/api/v1/localities/{locality_id}",
    "/api/v1/plans/{plan_id}",
]


@pytest.mark.parametrize("query", [{"version": "1"}, {"as_of": "2999-01-01T00:00:00+00:00"}])
def test_time_travel_follows_the_history_rule(world: World, query: dict[str, str]) -> None:
    rule = Rule(history, query=query)
    cells = [(path, caller) for path in TIME_TRAVEL for caller in CALLERS]
    failures = [f for p, c in cells if (f := run_cell(world, "GET", p, c, rule)) is not None]
    assert not failures, "\n".join(failures)


def test_a_list_filtered_on_another_municipality_is_empty(world: World) -> None:
    """Asking for Söderhamn's records as an Åtvidaberg caller gives nothing, never a leak."""
    filtered = [
        (m, p)
        for m, p in routes_of(world.app)
        if m == "GET" and "{" not in p and "municipality" in _query_names(world.app, p)
    ]
    assert len(filtered) >= 4
    query = {"municipality": SÖDERHAMN}
    callers = [c for c in CALLERS if c.scope == "own"]
    failures = [
        f
        for m, p in filtered
        for c in callers
        if (f := run_cell(world, m, p, c, _filtered_on_söderhamn(p)))
        if (f := run_cell(world, m, p, c, Rule(EXPECTED[(m, p)].expect, query=query)))
    ]
    assert not failures, "\n".join(failures)


def _filtered_on_söderhamn(path: str) -> Rule:
    """A list's own rule (who may read it), asked about Söderhamn: empty where it answers."""
    return Rule(EXPECTED[("GET", path)].expect, query={"municipality": SÖDERHAMN})


def _query_names(app: FastAPI, path: str) -> set[str]:
    operation = app.openapi()["paths"].get(path, {}).get("get", {})
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
