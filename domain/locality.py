"""Locality (ort): a place in a municipality, with its coordinates and the services in it.

A locality owns its services (a grocery, a fuel station, a parcel point...). A service opens and
closes; a closing records who, when and why, and is history, never a deletion. One locality per
name in a municipality, so a locality named on an issue finds its register entry by name.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4, uuid5

from domain.base import CaseAggregate, require_text
from domain.errors import DomainRuleError, RecordNotOpenError
from domain.values import Category, Provenance

LOCALITY_NAMESPACE = UUID("5d6c1f2a-7e83-5b94-a0c1-3f2e8d7b6a45")
REGISTERED = "registered"
OPEN, CLOSED = "open", "closed"
KINDS = ("tatort", "smaort", "by")


class UnknownServiceError(DomainRuleError):
    """The named service is not one of the locality's."""


class ServiceDateError(DomainRuleError):
    """A service cannot close before it opened."""


def locality_id(municipality: str, name: str) -> UUID:
    """One locality per name and municipality; case and surrounding space do not count."""
    return uuid5(LOCALITY_NAMESPACE, f"{municipality}:{name.strip().casefold()}")


def require_coordinates(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainRuleError("Latitude lies in -90..90 and longitude in -180..180 degrees.")


class Locality(CaseAggregate):
    """A registered locality and its services, open and closed, in the order they were recorded."""

    class Registered(CaseAggregate.Created):
        municipality: str
        name: str
        kind: str | None
        population: int | None
        latitude: float
        longitude: float

    class ServiceRecorded(CaseAggregate.Event):
        service_id: str
        kind: str
        name: str
        operator: str | None
        opened_on: date | None

        def apply(self, locality: Locality) -> None:
            locality.services[self.service_id] = {
                "kind": self.kind,
                "name": self.name,
                "operator": self.operator,
                "opened_on": self.opened_on,
                "closed_on": None,
                "closed_reason": None,
                "closed_by": None,
                "status": OPEN,
            }

    class ServiceClosed(CaseAggregate.Event):
        service_id: str
        closed_on: date
        reason: str

        def apply(self, locality: Locality) -> None:
            service = locality.services[self.service_id]
            service.update(
                closed_on=self.closed_on,
                closed_reason=self.reason,
                closed_by=self.actor["user_id"],
                status=CLOSED,
            )

    def __init__(
        self,
        municipality: str,
        name: str,
        kind: str | None,
        population: int | None,
        latitude: float,
        longitude: float,
    ) -> None:
        self.municipality = municipality
        self.name = name
        self.kind = kind
        self.population = population
        self.latitude = latitude
        self.longitude = longitude
        self.status = REGISTERED
        self.services: dict[str, dict[str, Any]] = {}

    @property
    def title(self) -> str:
        return self.name

    @classmethod
    def register(
        cls,
        *,
        municipality: str,
        name: str,
        kind: str | None,
        population: int | None,
        latitude: float,
        longitude: float,
        by: Provenance,
    ) -> Locality:
        require_coordinates(latitude, longitude)
        if kind is not None and kind not in KINDS:
            raise DomainRuleError(f"A locality's kind is one of {', '.join(KINDS)}.")
        if population is not None and population < 0:
            raise DomainRuleError("A population is not negative.")
        return cls._create(
            cls.Registered,
            id=locality_id(municipality, name),
            municipality=municipality,
            name=require_text(name, "The locality's name").strip(),
            kind=kind,
            population=population,
            latitude=latitude,
            longitude=longitude,
            **by.event_fields(),
        )

    def record_service(
        self,
        kind: str,
        name: str,
        operator: str | None,
        opened_on: date | None,
        by: Provenance,
    ) -> str:
        """Record a service in the locality; returns its new `service_id`."""
        if kind not in set(Category):
            raise DomainRuleError(f"A service's kind is one of the issue categories, not {kind}.")
        service_id = str(uuid4())
        self._record(
            self.ServiceRecorded,
            by,
            service_id=service_id,
            kind=str(kind),
            name=require_text(name, "The service's name"),
            operator=operator,
            opened_on=opened_on,
        )
        return service_id

    def close_service(self, service_id: str, closed_on: date, reason: str, by: Provenance) -> None:
        """Close an open service: when, why, and (from the event) who. It stays in the record."""
        service = self.services.get(service_id)
        if service is None:
            raise UnknownServiceError(f"The locality has no service {service_id}.")
        if service["status"] != OPEN:
            raise RecordNotOpenError(f"The service closed on {service['closed_on']} already.")
        opened_on = service["opened_on"]
        if opened_on is not None and closed_on < opened_on:
            raise ServiceDateError(f"The service opened on {opened_on}; it cannot close earlier.")
        self._record(
            self.ServiceClosed,
            by,
            service_id=service_id,
            closed_on=closed_on,
            reason=require_text(reason, "The reason for closing"),
        )

    def open_services(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            {"service_id": k, **v}
            for k, v in self.services.items()
            if v["status"] == OPEN and (kind is None or v["kind"] == kind)
        ]
