"""Unit (förvaltning or enhet): a department with the categories it answers for, and its contact
persons (Falun: whom do I call about fuel in Gårdby?).

Contact persons are personal data. Their values live in the fields `display_name`, `email` and
`phone` of `Unit.ContactAdded`, and nowhere else: each is sealed under the key of the contact
person (a subject, `subject_id`), like a task force's members (docs/personal-data.md).
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import DomainRuleError
from domain.personal import subject
from domain.values import Category, Provenance

ACTIVE = "active"
PERSONAL_FIELDS = ("display_name", "email", "phone")  # in Unit.ContactAdded


class Unit(CaseAggregate):
    """A unit and its contacts, in the order they were added."""

    class Registered(CaseAggregate.Created):
        municipality: str
        name: str
        categories: list[str]

    class ContactAdded(CaseAggregate.Event):
        personal: ClassVar[dict[str, str]] = {
            field: subject("subject_id") for field in PERSONAL_FIELDS
        }
        contact_id: str
        display_name: str
        role: str
        email: str | None
        phone: str | None
        subject_id: str | None = None  # the contact person (data subject); absent from older events

        def apply(self, unit: Unit) -> None:
            contact = {
                "display_name": self.display_name,
                "role": self.role,
                "email": self.email,
                "phone": self.phone,
            }
            if self.subject_id is not None:
                contact["subject_id"] = self.subject_id
            unit.contacts[self.contact_id] = contact

    def __init__(self, municipality: str, name: str, categories: list[str]) -> None:
        self.municipality = municipality
        self.name = name
        self.categories = categories
        self.status = ACTIVE
        self.contacts: dict[str, dict[str, Any]] = {}

    @property
    def title(self) -> str:
        return self.name

    @classmethod
    def register(
        cls, *, municipality: str, name: str, categories: list[str], by: Provenance
    ) -> Unit:
        unknown = [c for c in categories if c not in set(Category)]
        if unknown:
            raise DomainRuleError(f"Categories outside the issue categories: {unknown}.")
        return cls._create(
            cls.Registered,
            id=uuid4(),
            municipality=municipality,
            name=require_text(name, "The unit's name"),
            categories=sorted(set(categories)),
            **by.event_fields(),
        )

    def add_contact(
        self,
        display_name: str,
        role: str,
        email: str | None,
        phone: str | None,
        by: Provenance,
        subject_id: str | None = None,
    ) -> str:
        contact_id = str(uuid4())
        self._record(
            self.ContactAdded,
            by,
            contact_id=contact_id,
            display_name=require_text(display_name, "The contact's name"),
            role=require_text(role, "The contact's role"),
            email=email,
            phone=phone,
            subject_id=subject_id,
        )
        return contact_id
