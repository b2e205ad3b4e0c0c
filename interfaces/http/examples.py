"""A realistic request body for every command, shown in `/docs` and used by schemathesis.

Free text is Swedish, as case workers write it; places and municipality codes are the programme's
own (domain.md). Keyed by the command class's name, so that commands arriving from other
branches find theirs; a route whose body leaves out path fields (`AddNoteBody`) shows its
command's example without them, and fields a command does not have are left out. Deadlines
are built from today, so that "Try it out" still works next year; dates that must not lie in
the future are in the past.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

Example = dict[str, Any]

ISSUE = "3f2b8c1e-5d4a-4e7b-9c61-2a8f0d9e4b17"
TASK_FORCE = "8d0c6a52-1b7e-4f3a-a9d4-5e6f7a8b9c0d"
DECISION = "c4e1f7a9-2d3b-4c5e-8f6a-7b8c9d0e1f2a"
LATER_DECISION = "d5f2a8b0-3e4c-4d6f-9a7b-8c9d0e1f2a3b"
MEMBER = "e6a3b9c1-4f5d-4e7a-8b8c-9d0e1f2a3b4c"

INDICATORS = [
    {"name": "Öppettimmar per vecka", "value": "52", "unit": "timmar", "baseline": "30"},
    {"name": "Paket utlämnade per månad", "value": "410", "unit": "paket", "target": "400"},
]


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


EXAMPLES: dict[str, Callable[[], Example]] = {
    # issues
    "OpenIssue": lambda: {
        "municipality": "0561",
        "locality": "Falerum",
        "title": "Butiken i Falerum kan stänga",
        "description": "Handlaren går i pension i sommar och ingen har tagit över. Byalaget "
        "oroar sig för att byn blir utan dagligvaror och paketombud.",
        "category": "groceries",
        "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
    },
    "EditIssue": lambda: {
        "title": "Falerums butik behöver en ny handlare",
        "description": "Handlaren slutar den 31 augusti. Två intressenter har hört av sig.",
    },
    "AssignResponsibility": lambda: {
        "unit": "Näringslivsenheten",
        "role": "bygdelots",
        "user_id": "elsa.nystrom",
    },
    "AddNote": lambda: {
        "kind": "meeting",
        "text": "Möte i bygdegården med byalaget och handlaren. Tolv personer kom; alla vill "
        "behålla paketombudet även om butiken byter ägare.",
        "occurred_on": "2024-05-02",
        "public": True,
    },
    "SplitIssue": lambda: {
        "title": "Drivmedel i Falerum",
        "description": "Macken vid väg 134 stänger vid årsskiftet; frågan drivs för sig.",
        "category": "fuel",
    },
    "ResolveIssue": lambda: {
        "summary": "En ny handlare tog över butiken den 1 juni, med paket- och apoteksombud."
    },
    "CloseIssue": lambda: {"reason": "Dubblett av ärendet om butiken i Falerum."},
    "ReopenIssue": lambda: {"reason": "Den nya handlaren har sagt upp sig; frågan är öppen igen."},
    # task forces
    "FormTaskForce": lambda: {
        "issue_id": ISSUE,
        "name": "Insatsstyrka servicepunkt Trönö",
        "mandate": "Ta fram ett förslag till servicepunkt i Trönö tillsammans med byalaget "
        "och handlaren, med kostnad och öppettider.",
        "due_on": _in_days(90),
        "lead": {
            "display_name": "Elsa Nyström",
            "organisation": "Söderhamns kommun",
            "role": "landsbygdsutvecklare",
            "user_id": "elsa.nystrom",
        },
    },
    "AddMember": lambda: {
        "display_name": "Olof Brandt",
        "organisation": "Trönö byalag",
        "role": "kassör",
    },
    "HandOverLead": lambda: {
        "to_member_id": MEMBER,
        "note": "Elsa går på föräldraledighet. Olof tar över kontakten med handlaren; "
        "mötesanteckningarna och offerterna ligger i ärendet.",
    },
    "ExtendMandate": lambda: {
        "due_on": _in_days(180),
        "reason": "Upphandlingen av servicepunkten drog ut på tiden.",
    },
    "ReportProgress": lambda: {"text": "Två handlare i Trönö har visat intresse för ombudet."},
    "CompleteTaskForce": lambda: {
        "summary": "Servicepunkten i Trönö öppnade i byns affär, med paket- och apoteksombud."
    },
    "DisbandTaskForce": lambda: {"reason": "Byalaget drog tillbaka frågan när butiken såldes."},
    # decisions
    "ProposeDecision": lambda: {
        "issue_id": ISSUE,
        "title": "Driftstöd till butiken i Gårdby",
        "rationale": "Närmaste dagligvarubutik ligger 25 km bort. Ett driftstöd under "
        "pilotåret håller butiken öppen medan kundunderlaget byggs upp.",
        "decision_body": "Kommunstyrelsen",
        "task_force_id": TASK_FORCE,
        "service_impact": {
            "effects": [
                {
                    "locality": "Gårdby",
                    "service_kind": "groceries",
                    "effect": "positive",
                    "note": "Butiken kan hålla öppet året runt.",
                }
            ]
        },
    },
    "AdoptDecision": lambda: {"decided_on": "2024-03-14", "reference": "KS 2024/123"},
    "RejectDecision": lambda: {"reason": "Kommunstyrelsen vill först se en behovsanalys."},
    "RevokeDecision": lambda: {"reason": "Butiken lades ned; stödet betalas inte ut."},
    "SupersedeDecision": lambda: {"by_decision_id": LATER_DECISION},
    # outcomes
    "RecordOutcome": lambda: {
        "issue_id": ISSUE,
        "decision_ids": [DECISION],
        "summary": "Butiken i Gårdby har öppet sex dagar i veckan och är paketombud.",
        "indicators": INDICATORS,
        "observed_on": "2024-09-30",
    },
    "VerifyOutcome": lambda: {"note": "Stämmer med handlarens kassarapport för september."},
    "CorrectOutcome": lambda: {
        "summary": "Butiken i Gårdby har öppet fem dagar i veckan och är paketombud.",
        "indicators": INDICATORS[:1],
        "reason": "Öppettiderna var felräknade: söndagar ingår inte.",
    },
    "RetractOutcome": lambda: {"reason": "Mätningen gällde fel butik."},
    # staff and the dialogue cycle
    "HandOverResponsibilities": lambda: {
        "to_user": "elsa.nystrom",
        "note": "Lena går i pension. Elsa tar över hennes ärenden i Vilhelmina; "
        "kontaktlistan till byaföreningarna ligger i ärendena.",
    },
    "PlanDialogue": lambda: {
        "every_months": 4,
        "partner": "Ammarnäs byaförening",
        "starts_on": _in_days(30),
    },
    # daily case work: corrections, follow-ups (bevakning), leave
    "CorrectNote": lambda: {
        "text": "Möte i bygdegården med byalaget och handlaren. Fjorton personer kom.",
        "occurred_on": "2024-05-03",
        "reason": "Fel datum och antal: mötet hölls på fredagen.",
    },
    "WithdrawNote": lambda: {"reason": "Anteckningen hörde till ett annat ärende."},
    "CorrectDecision": lambda: {
        "decided_on": "2024-03-12",
        "reference": "KS 2024/124",
        "reason": "Fel diarienummer och datum i protokollsutdraget.",
    },
    "SetFollowUp": lambda: {
        "due_on": _in_days(14),
        "note": "Kolla om butiken i Falerum fått driftstödet utbetalt.",
    },
    "StartLeave": lambda: {
        "starts_on": _in_days(7),
        "ends_on": _in_days(190),
        "note": "Föräldraledig. Elsa Nyström täcker ärendena i Vilhelmina.",
    },
    "EndLeave": lambda: {"note": "Tillbaka efter föräldraledigheten; tar över sina ärenden."},
    # localities, services, plans, units and contacts, retention
    "RegisterLocality": lambda: {
        "municipality": "0561",
        "name": "Falerum",
        "kind": "by",
        "population": 420,
        "latitude": 58.1497,
        "longitude": 16.2211,
    },
    "RecordService": lambda: {
        "kind": "parcel_pickup",
        "name": "Paketombud i Falerums lanthandel",
        "operator": "Falerums lanthandel",
        "opened_on": "2024-06-01",
    },
    "CloseService": lambda: {
        "closed_on": "2024-12-31",
        "reason": "Handlaren sade upp avtalet med fraktbolaget.",
    },
    "ReplicateIssue": lambda: {"locality": "Mo", "title": "Servicepunkt i Mo, som i Trönö"},
    "AdoptLocalPlan": lambda: {
        "municipality": "0561",
        "locality": "Falerum",
        "year": 2025,
        "title": "Lokal utvecklingsplan för Falerum 2025",
        "goals": [{"text": "Dagligvaror och paketombud finns kvar i byn.", "issue_ids": []}],
    },
    "RegisterUnit": lambda: {
        "municipality": "0561",
        "name": "Samhällsbyggnadsförvaltningen",
        "categories": ["transport", "public_service_point"],
    },
    "AddContact": lambda: {
        "display_name": "Elsa Nyström",
        "role": "landsbygdsutvecklare",
        "email": "elsa.nystrom@example.se",
        "phone": "+46 120 830 00",
    },
    "SetRetention": lambda: {"keep_years": 10},
    "Retention": lambda: {"keep_years": 10},
    "GallringRequest": lambda: {
        "decision_reference": "KS 2026/41 §7",
        "reason": "Gallring enligt informationshanteringsplanen: tio år efter avslut.",
        "record_ids": [ISSUE],
    },
    # not commands: a calendar feed to subscribe to, and a checkpoint sent back to be checked
    "FeedRequest": lambda: {
        "kind": "timeline",
        "params": {"municipality": "0561", "category": "groceries", "lang": "sv"},
    },
    # (the checkpoint exactly as `GET /audit/checkpoint` serves it)
    "Checkpoint": lambda: {
        "position": 1200,
        "hash": "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f",
        "signed_at": "2026-11-30T23:00:00+00:00",
        "key_id": "3fa85f6457174562",
        "signature": "q3Jm0Yb7XwV2p9LhTz4nKc8sDfG1aE6uRiOoPlMkNjHbVgCfXdZsAwQeRtYuIoPa"
        "SdFgHjKlZxCvBnMqWeRtYu",  # 64 bytes in base64url, as Ed25519 signs
    },
}


def example_for(body: type[BaseModel]) -> Example | None:
    """The example of a body: its command's, less the fields the path supplies."""
    make = EXAMPLES.get(body.__name__) or EXAMPLES.get(body.__name__.removesuffix("Body"))
    if make is None:
        return None
    return {name: value for name, value in make().items() if name in body.model_fields}
