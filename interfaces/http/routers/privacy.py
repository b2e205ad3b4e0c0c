"""Personal data: gallring, data subjects and the register extract (admins; caseworkers list)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from application.errors import ForbiddenError
from domain.values import Actor, Provenance, Role
from infrastructure.store.gallring import GallringService
from infrastructure.views.subject_queries import SubjectQueries
from interfaces.http.problems import responses
from interfaces.http.reading import LIST_ERRORS, READ_ERRORS, Cursor, Limit
from interfaces.http.security import CallerDep

router = APIRouter(prefix="/api/v1", tags=["personal data"])

Reference = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]


class GallringRequest(BaseModel):
    """A gallring under a decision. The reason stays clear in the log: it must name nobody."""

    model_config = ConfigDict(extra="forbid")
    decision_reference: Reference = Field(description="The gallringsbeslut, e.g. 'KS 2026/12 §4'.")
    reason: Reason = Field(description="Why; kept in the log as it is, so name nobody here.")
    subject_ids: list[UUID] = Field(default_factory=list, max_length=500)
    record_ids: list[UUID] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def at_least_one_id(self) -> GallringRequest:
        if not self.subject_ids and not self.record_ids:
            raise ValueError("Name at least one subject or record.")
        return self


class GallringAnswer(BaseModel):
    id: UUID
    position: int
    subjects: list[UUID]
    records: list[UUID]


def _require(caller: Actor, *roles: Role) -> str:
    """The caller's own municipality, for the roles that may; 403 for anyone else."""
    if caller.role not in roles or caller.is_national:
        raise ForbiddenError(f"The role {caller.role} may not do this here.")
    return caller.municipality


@router.post(
    "/gallring",
    response_model=GallringAnswer,
    responses=responses(400, 401, 403, 404, 413, 422, 429, 503),
)
def carry_out_gallring(body: GallringRequest, caller: CallerDep, request: Request) -> Any:
    """Gallring (admins, own municipality): destroys the keys of the named subjects, and the
    free-text keys of the named records with the keys of subjects on no other record. Every
    erased value then reads "[gallrad]" everywhere; the hash chain stays intact. Records
    `GallringCarriedOut`, with no personal data, and answers `{id, position, subjects, records}`.
    """
    _require(caller, Role.ADMIN)
    events = request.app.state.samverkan.events
    by = Provenance(caller, command_id=str(uuid4()), correlation_id=request.state.request_id)
    subjects = list(dict.fromkeys(str(s) for s in body.subject_ids))
    records = list(dict.fromkeys(str(r) for r in body.record_ids))
    done = GallringService(events).carry_out(
        by, body.decision_reference, body.reason, subjects, records
    )
    return {"id": done.id, "position": done.position, "subjects": subjects, "records": records}


@router.get("/subjects", responses=LIST_ERRORS)
def list_subjects(
    caller: CallerDep,
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name.")] = None,
    municipality: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Persons recorded in the caller's municipality (caseworkers and admins):
    `{items: [{subject_id, display_name, organisation, records}], next_cursor}`."""
    home = _require(caller, Role.CASEWORKER, Role.ADMIN)
    if municipality is not None and municipality != home:
        return {"items": [], "next_cursor": None}
    page = SubjectQueries(request.app.state.samverkan.events).page(home, q, limit, cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/subjects/{subject_id}/extract", responses=READ_ERRORS)
def subject_extract(
    subject_id: Annotated[UUID, Path(description="The subject's id.")],
    caller: CallerDep,
    request: Request,
) -> Any:
    """The register extract (registerutdrag, GDPR art. 15), admins only: every record and
    field where the subject appears, with its values."""
    home = _require(caller, Role.ADMIN)
    return SubjectQueries(request.app.state.samverkan.events).extract(home, subject_id)
