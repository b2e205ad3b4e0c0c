"""Contacts (Falun): whom do I call about fuel in Gårdby? Personal data, read by few."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.unit import Unit
from domain.values import Actor, Provenance, Role
from infrastructure.settings import Settings
from infrastructure.views.replay_runs import check_views
from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG, Headers


def test_contacts_answer_by_category_and_only_for_caseworkers_and_admins_at_home(
    client: TestClient, caseworker: Headers, auth: Callable[..., Headers]
) -> None:
    unit = {
        "municipality": ÅTVIDABERG,
        "name": "Samhällsbyggnadsförvaltningen",
        "categories": ["fuel", "transport"],
    }
    unit_id = client.post("/api/v1/units", json=unit, headers=caseworker).json()["id"]
    other = {
        "municipality": ÅTVIDABERG,
        "name": "Socialförvaltningen",
        "categories": ["pharmacy_agent"],
    }
    other_id = client.post("/api/v1/units", json=other, headers=caseworker).json()["id"]
    contact = {
        "display_name": "Eva Sjö",
        "role": "trafikplanerare",
        "email": "eva.sjo@atvidaberg.se",
        "phone": "0120-83000",
    }
    answer = client.post(f"/api/v1/units/{unit_id}/contacts", json=contact, headers=caseworker)
    assert answer.status_code == 200, answer.text
    client.post(
        f"/api/v1/units/{other_id}/contacts",
        json={"display_name": "Per Ek", "role": "enhetschef"},
        headers=caseworker,
    )

    fuel = client.get("/api/v1/contacts", params={"category": "fuel"}, headers=caseworker).json()[
        "items"
    ]
    assert [(c["display_name"], c["unit"], c["contact_id"]) for c in fuel] == [
        ("Eva Sjö", "Samhällsbyggnadsförvaltningen", answer.json()["contact_id"])
    ]
    assert len(client.get("/api/v1/contacts", headers=caseworker).json()["items"]) == 2

    for role in ("auditor", "evaluator"):
        refused = client.get("/api/v1/contacts", headers=auth("x", role, ÅTVIDABERG))
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/contacts", headers=auth("x", "auditor", "*")).status_code == 403
    söderhamn = auth("per.sund", "caseworker", SÖDERHAMN)
    assert client.get("/api/v1/contacts", headers=söderhamn).json()["items"] == []
    asked = client.get("/api/v1/contacts", params={"municipality": ÅTVIDABERG}, headers=söderhamn)
    assert asked.json()["items"] == []
    assert (
        client.post(
            f"/api/v1/units/{unit_id}/contacts", json=contact, headers=söderhamn
        ).status_code
        == 404
    )


def test_a_malformed_email_is_refused(client: TestClient, caseworker: Headers) -> None:
    unit = {"municipality": ÅTVIDABERG, "name": "Kommunledningen", "categories": []}
    unit_id = client.post("/api/v1/units", json=unit, headers=caseworker).json()["id"]
    bad = {"display_name": "Eva Sjö", "role": "chef", "email": "inte en adress"}
    assert (
        client.post(f"/api/v1/units/{unit_id}/contacts", json=bad, headers=caseworker).status_code
        == 422
    )


def test_a_contact_person_is_a_subject_sealed_listed_extracted_and_erasable(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    api_settings: Settings,
) -> None:
    admin = auth("greta.admin", "admin", ÅTVIDABERG)
    unit = {"municipality": ÅTVIDABERG, "name": "Kultur och fritid", "categories": ["fuel"]}
    unit_id = client.post("/api/v1/units", json=unit, headers=caseworker).json()["id"]
    contact = {
        "display_name": "Hjalmar Qvistberg",
        "role": "landsbygdsutvecklare",
        "email": "hjalmar.qvistberg@atvidaberg.se",
        "phone": "0120-83999",
    }
    added = client.post(f"/api/v1/units/{unit_id}/contacts", json=contact, headers=caseworker)
    assert added.status_code == 200, added.text
    events = client.app.state.samverkan.events  # type: ignore[attr-defined]
    with events.reading() as session:
        table = events.recorder.events_record_cls.__table__
        states = b"".join(bytes(s) for s in session.execute(select(table.c.state)).scalars())
    assert all(value.encode() not in states for value in contact.values() if "@" in value)
    assert b"Qvistberg" not in states and b"0120-83999" not in states  # sealed in the log

    (subject,) = client.get("/api/v1/subjects?q=qvistberg", headers=admin).json()["items"]
    assert subject["organisation"] == "Kultur och fritid" and subject["records"] == [unit_id]
    extract = client.get(f"/api/v1/subjects/{subject['subject_id']}/extract", headers=admin)
    personal = {
        f["field"]: f["value"]
        for record in extract.json()["records"]
        for f in record["fields"]
        if f["personal"]
    }
    assert personal == {k: contact[k] for k in ("display_name", "email", "phone")}

    body = {
        "decision_reference": "KS 2026/41 §7",
        "reason": "Gallring enligt plan.",
        "subject_ids": [subject["subject_id"]],
    }
    assert client.post("/api/v1/gallring", json=body, headers=admin).status_code == 200
    (listed,) = client.get("/api/v1/contacts", headers=caseworker).json()["items"]
    assert [listed[k] for k in ("display_name", "email", "phone")] == ["[gallrad]"] * 3
    assert listed["role"] == "landsbygdsutvecklare"  # a role names no one
    everything = b"".join(p.read_bytes() for p in api_settings.var_dir.glob("*.db*"))
    assert b"Qvistberg" not in everything and b"0120-83999" not in everything
    assert client.get("/api/v1/audit/verify", headers=admin).json()["intact"] is True
    count, differences = check_views(events)
    assert count > 0 and differences == []


def test_a_contact_added_before_contacts_were_subjects_still_loads(client: TestClient) -> None:
    """An older `Unit.ContactAdded` has no subject id: it reads with none (docs/event-evolution)."""
    events = client.app.state.samverkan.events  # type: ignore[attr-defined]
    by = Provenance(Actor("anna.lind", Role.CASEWORKER, ÅTVIDABERG), "c", "r")
    unit = Unit.register(municipality=ÅTVIDABERG, name="Enheten", categories=["fuel"], by=by)
    unit.add_contact("Per Ek", "enhetschef", None, None, by, subject_id="s-1")
    new = events.mapper.transcoder.encode
    older = []
    for event in unit.collect_events():
        state = {k: v for k, v in vars(event).items() if k not in ("originator_id", "subject_id")}
        state.pop("originator_version")
        older.append(
            StoredEvent(
                event.originator_id, event.originator_version, get_topic(type(event)), new(state)
            )
        )
    loaded = None
    for stored in older:
        loaded = events.mapper.to_domain_event(stored).mutate(loaded)
    assert isinstance(loaded, Unit)
    (person,) = loaded.contacts.values()
    assert person["display_name"] == "Per Ek" and "subject_id" not in person
