"""The demo programme's places: localities with coordinates (Trönö, Falerum and Gårdby, which
the programme names, among them), services, a service closing, decisions with service impact, a
replicated Trönö model, one local plan per municipality whose goals name a plan (Ronneby, Mora,
Vetlanda, Mörbylånga, Norsjö), units and contacts.

DEMO DATA, like the rest of the programme: place names and coordinates are real (rounded), but
every service, unit, plan and person is invented, and their names say "[Demo]" or "Demo".
Runs after each municipality's own programme, so it can name the issues that one opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select

from application import commands as c
from infrastructure.views.read_models import VIEWS
from interfaces.demo.writer import DemoWriter

Place = tuple[str, float, float, str, int]  # name, latitude, longitude, kind, population


def _issues(w: DemoWriter) -> dict[str, UUID]:
    """The municipality's demo issues by locality, first opened first."""
    issue = VIEWS["issue"]
    with w.bus.store.events.reading() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(issue.c.id, issue.c.locality)
            .where(issue.c.municipality == w.code)
            .order_by(issue.c.position.desc())
        ).all()
    return {row.locality: UUID(row.id) for row in rows}


def _places(w: DemoWriter, places: list[Place]) -> dict[str, UUID]:
    ids = {}
    for name, latitude, longitude, kind, population in places:
        command = c.RegisterLocality(
            municipality=w.code,
            name=name,
            kind=kind,  # type: ignore[arg-type]
            population=population,
            latitude=latitude,
            longitude=longitude,
        )
        ids[name] = w.run(command).id
    return ids


def _service(w: DemoWriter, locality: UUID, kind: str, name: str, opened: date | None) -> str:
    command = c.RecordService(
        locality_id=locality,
        kind=kind,  # type: ignore[arg-type]
        name=f"[Demo] {name}",
        opened_on=opened,
    )
    return w.run(command).member_id  # type: ignore[no-any-return]


def ljusdal_places(w: DemoWriter) -> None:
    """Ljusdal's rule: Ramsjö and Los lie more than 30 km from the nearest open grocery."""
    ids = _places(
        w,
        [
            ("Ljusdal", 61.829, 16.090, "tatort", 7000),
            ("Järvsö", 61.716, 16.168, "tatort", 1900),
            ("Färila", 61.800, 15.849, "tatort", 1900),
            ("Tallåsen", 61.862, 16.047, "smaort", 400),
            ("Hennan", 62.033, 15.900, "by", 150),
            ("Ramsjö", 62.183, 15.650, "by", 110),
            ("Los", 61.740, 15.167, "by", 300),
        ],
    )
    for name in ("Ljusdal", "Järvsö", "Färila", "Tallåsen"):
        _service(w, ids[name], "groceries", f"Handlaren i {name}", date(2005, 1, 1))
    _service(w, ids["Ljusdal"], "fuel", "Macken vid E45", None)
    closed = _service(w, ids["Hennan"], "groceries", "Lanthandeln i Hennan", date(1998, 4, 1))
    w.run(
        c.CloseService(
            locality_id=ids["Hennan"],
            service_id=UUID(closed),
            closed_on=date(2024, 6, 30),
            reason="Handlaren gick i pension och ingen tog över.",
        ),
        by=2,
    )


def söderhamn_places(w: DemoWriter) -> None:
    """The Trönö model, replicated in Ljusne as an issue modelled on the original."""
    _places(
        w,
        [
            ("Söderhamn", 61.304, 17.062, "tatort", 11700),
            ("Trönö", 61.352, 16.876, "by", 300),
            ("Ljusne", 61.211, 17.128, "tatort", 1600),
        ],
    )
    model = _issues(w)["Trönö"]
    w.run(c.ReplicateIssue(issue_id=model, locality="Ljusne", task_force_ids=_forces(w, model)))


def _forces(w: DemoWriter, issue_id: UUID) -> list[UUID]:
    task_force = VIEWS["task_force"]
    with w.bus.store.events.reading() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(task_force.c.id)
            .where(task_force.c.issue_id == str(issue_id))
            .order_by(task_force.c.position)
        ).scalars()
        return [UUID(r) for r in rows]


def vetlanda_places(w: DemoWriter) -> None:
    """Vetlanda's rule: a decision that states its effects on local services."""
    _places(
        w,
        [
            ("Vetlanda", 57.428, 15.080, "tatort", 13500),
            ("Ekenässjön", 57.467, 15.033, "tatort", 900),
        ],
    )
    issue = w.issue(
        "Ekenässjön",
        "Ny hållplats vid Ekenässjöns skola",
        "Skolskjuts och linjetrafik samlas vid en ny hållplats.",
        "transport",
        "Ekenässjöns samhällsförening",
    )
    proposed = w.run(
        c.ProposeDecision(
            issue_id=issue,
            title="[Demo] Ny hållplats vid skolan",
            rationale="Samlad trafik ger fler turer och tryggare byten.",
            decision_body="Tekniska nämnden",
            service_impact=c.ServiceImpact(
                effects=[
                    c.ServiceEffect(
                        locality="Ekenässjön",
                        service_kind="transport",  # type: ignore[arg-type]
                        effect="positive",
                        note="Fler turer mot Vetlanda.",
                    ),
                    c.ServiceEffect(
                        locality="Ekenässjön",
                        service_kind="groceries",  # type: ignore[arg-type]
                        effect="neutral",
                    ),
                ]
            ),
        )
    ).id
    w.run(
        c.AdoptDecision(decision_id=proposed, decided_on=date(2024, 11, 12), reference="TN 2024/88")
    )


def _plan(
    w: DemoWriter, locality: str | None, title: str, goals: list[tuple[str, list[UUID]]]
) -> None:
    w.run(
        c.AdoptLocalPlan(
            municipality=w.code,
            locality=locality,
            year=2025,
            title=f"[Demo] {title}",
            goals=[c.PlanGoal(text=text, issue_ids=ids) for text, ids in goals],
        )
    )


def ronneby_places(w: DemoWriter) -> None:
    issues = list(_issues(w).values())
    _plan(
        w,
        None,
        "Lokala utvecklingsplaner, handlingsplan 2025",
        [
            ("Service och mötesplatser i varje kommundel.", issues[:1]),
            ("Byarna driver sina egna utvecklingsplaner.", issues[:1]),
        ],
    )


def mora_places(w: DemoWriter) -> None:
    issues = list(_issues(w).values())
    _plan(
        w,
        None,
        "Årlig handlingsplan för landsbygden 2025",
        [("Varje by har en kontaktväg till kommunen.", issues[:2])],
    )


def åtvidaberg_places(w: DemoWriter) -> None:
    """Falerum, which the programme names, on the map with the shop its issue is about."""
    ids = _places(w, [("Falerum", 58.137, 16.217, "smaort", 300)])
    _service(w, ids["Falerum"], "groceries", "Lanthandeln i Falerum", date(2001, 3, 1))


def vetlanda_plan(w: DemoWriter) -> None:
    """Vetlanda's service plan, carried by its service-hub issue."""
    _plan(
        w,
        None,
        "Serviceplan 2025",
        [("Servicehubbar i kommundelarna.", [_issues(w)["Björkhult"]])],
    )


def mörbylånga_places(w: DemoWriter) -> None:
    """Gårdby, the programme's pilot: on the map, with its shop and a plan for new service."""
    ids = _places(w, [("Gårdby", 56.602, 16.625, "by", 200)])
    _service(w, ids["Gårdby"], "groceries", "Handelsboden i Gårdby", date(1995, 5, 1))
    _plan(
        w,
        "Gårdby",
        "Plan för ny service i Gårdby 2025",
        [("Ny service i Gårdby, utvecklad med lokalsamhället.", [_issues(w)["Gårdby"]])],
    )


def norsjö_plan(w: DemoWriter) -> None:
    """Norsjö's revised service plan, carried by its road-map issue."""
    _plan(
        w,
        None,
        "Reviderad serviceplan 2025",
        [("En färdplan för stödet till servicenoderna.", [_issues(w)["Granliden"]])],
    )


def falun_places(w: DemoWriter) -> None:
    """Falun's map of contact persons: whom to call about fuel or groceries."""
    units: list[tuple[str, list[str], list[tuple[str, str, str]]]] = [
        (
            "Samhällsbyggnadsförvaltningen",
            ["fuel", "transport"],
            [
                ("Eva Demo", "trafikstrateg", "023-00 00 01"),
                ("Per Demo", "näringslivsutvecklare", "023-00 00 02"),
            ],
        ),
        (
            "Kommunledningsförvaltningen",
            ["groceries", "public_service_point", "cash_services"],
            [("Lena Demo", "landsbygdsutvecklare", "023-00 00 03")],
        ),
    ]
    for name, categories, contacts in units:
        unit_id = w.run(
            c.RegisterUnit(municipality=w.code, name=f"[Demo] {name}", categories=categories)  # type: ignore[arg-type]
        ).id
        for display_name, role, phone in contacts:
            w.run(c.AddContact(unit_id=unit_id, display_name=display_name, role=role, phone=phone))


PLACES_LOADERS: list[tuple[str, str, Callable[[DemoWriter], Any]]] = [
    ("2161", "ljusdal", ljusdal_places),
    ("2182", "soderhamn", söderhamn_places),
    ("0685", "vetlanda", vetlanda_places),
    ("1081", "ronneby", ronneby_places),
    ("2062", "mora", mora_places),
    ("2080", "falun", falun_places),
    ("0561", "atvidaberg", åtvidaberg_places),
    ("0685", "vetlanda", vetlanda_plan),
    ("0840", "morbylanga", mörbylånga_places),
    ("2417", "norsjo", norsjö_plan),
]
