"""Value types shared by the aggregates: vocabularies, the actor, and provenance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    CASEWORKER = "caseworker"
    AUDITOR = "auditor"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


class Category(StrEnum):
    GROCERIES = "groceries"
    FUEL = "fuel"
    PARCEL_PICKUP = "parcel_pickup"
    PHARMACY_AGENT = "pharmacy_agent"
    CASH_SERVICES = "cash_services"
    PUBLIC_SERVICE_POINT = "public_service_point"
    TRANSPORT = "transport"
    OTHER = "other"


class RaisedByKind(StrEnum):
    VILLAGE_ASSOCIATION = "village_association"
    LOCAL_BUSINESS = "local_business"
    RESIDENT_GROUP = "resident_group"
    MUNICIPALITY = "municipality"
    OTHER = "other"


class NoteKind(StrEnum):
    DIALOGUE = "dialogue"
    MEETING = "meeting"
    PHONE = "phone"
    EMAIL = "email"
    SITE_VISIT = "site_visit"
    OTHER = "other"


class IssueStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TaskForceStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DISBANDED = "disbanded"


class DecisionStatus(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class OutcomeStatus(StrEnum):
    RECORDED = "recorded"
    VERIFIED = "verified"
    RETRACTED = "retracted"


NATIONAL_SCOPE = "*"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller: always from the token, never from a request body."""

    user_id: str
    role: Role
    municipality: str  # a four-digit kommunkod, or "*" for national scope

    @property
    def is_national(self) -> bool:
        return self.municipality == NATIONAL_SCOPE

    def as_dict(self) -> dict[str, str]:
        return {"user_id": self.user_id, "role": str(self.role), "municipality": self.municipality}


@dataclass(frozen=True)
class Provenance:
    """Who caused an event, and the command and request it belongs to."""

    actor: Actor
    command_id: str
    correlation_id: str

    def event_fields(self) -> dict[str, Any]:
        return {
            "actor": self.actor.as_dict(),
            "command_id": self.command_id,
            "correlation_id": self.correlation_id,
        }


# The actor of what the service records by itself (e.g. numbering issues of an older store).
# An administrator of the record's municipality as far as the rules go, but never a person:
# the person-dependency insight leaves it out.
SYSTEM_USER = "samverkan.system"
