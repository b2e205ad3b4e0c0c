"""LocalPlan (lokal utvecklingsplan): a plan for a locality or a municipality and a year, with
goals linked to issues (Ronneby, Mora). A goal's progress is read from its issues' statuses and
outcomes; the plan itself only says what was adopted."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from domain.base import CaseAggregate, require_text
from domain.errors import DomainRuleError
from domain.values import Provenance

ADOPTED = "adopted"


class LocalPlan(CaseAggregate):
    """An adopted plan: its goals in order, each with the issues that carry it."""

    class Adopted(CaseAggregate.Created):
        municipality: str
        locality: str | None
        year: int
        title: str
        goals: list[dict[str, Any]]

    def __init__(
        self,
        municipality: str,
        locality: str | None,
        year: int,
        title: str,
        goals: list[dict[str, Any]],
    ) -> None:
        self.municipality = municipality
        self.locality = locality
        self.year = year
        self.title = title
        self.goals = goals
        self.status = ADOPTED

    @classmethod
    def adopt(
        cls,
        *,
        municipality: str,
        locality: str | None,
        year: int,
        title: str,
        goals: list[dict[str, Any]],
        by: Provenance,
    ) -> LocalPlan:
        if not goals:
            raise DomainRuleError("A plan has at least one goal.")
        if not 1900 <= year <= 2100:
            raise DomainRuleError("A plan's year lies in 1900..2100.")
        for goal in goals:
            require_text(goal["text"], "A goal")
        return cls._create(
            cls.Adopted,
            id=uuid4(),
            municipality=municipality,
            locality=locality,
            year=year,
            title=require_text(title, "The title"),
            goals=[{"text": g["text"], "issue_ids": _each_once(g["issue_ids"])} for g in goals],
            **by.event_fields(),
        )


def _each_once(issue_ids: list[Any]) -> list[str]:
    """A goal's issues as canonical id text, each once in first-named order: a repeated id
    would count one issue twice in the goal's progress."""
    return list(dict.fromkeys(str(UUID(str(i))) for i in issue_ids))
