"""Service insights (Ljusdal's rule): which localities are far from an open service of a kind."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from application.policy import Query as Read
from domain.values import Category
from infrastructure.views.indicators import indicator_series
from infrastructure.views.service_access import ServiceAccess
from infrastructure.views.service_impact import unassessed_decisions
from interfaces.exports import Language
from interfaces.exports.service_map import render
from interfaces.http.locality_schemas import (
    IndicatorReport,
    ServiceAccessReport,
    ServiceImpactReport,
)
from interfaces.http.reading import LIST_ERRORS, PolicyDep
from interfaces.http.security import CallerDep

router = APIRouter(tags=["localities"])
Code = Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Municipality code")]


class PageFormat(StrEnum):
    JSON = "json"
    HTML = "html"


def get_service_access(request: Request) -> ServiceAccess:
    return ServiceAccess(request.app.state.samverkan.events)


ServiceAccessDep = Annotated[ServiceAccess, Depends(get_service_access)]


@router.get(
    "/api/v1/insights/service-access",
    response_model=ServiceAccessReport,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}, **LIST_ERRORS},
)
def service_access(
    caller: CallerDep,
    policy: PolicyDep,
    access: ServiceAccessDep,
    municipality: Code = None,
    kind: Annotated[Category, Query(description="The kind of service.")] = Category.GROCERIES,
    beyond_km: Annotated[
        float, Query(ge=0, le=2000, description="Flag localities farther than this.")
    ] = 30.0,
    fmt: Annotated[PageFormat, Query(alias="format")] = PageFormat.JSON,
    lang: Language = Language.SV,
) -> Any:
    """Per registered locality with coordinates: the nearest open service of `kind` in its
    municipality by great-circle distance (a locality's own service counts, at 0 km), and
    `beyond` when that is farther than `beyond_km` or there is none. Localities known only by
    name have no coordinates and are left out. `format=html` is a printable page with an SVG
    map, Swedish by default (`lang=en`)."""
    policy.authorise_query(caller, Read.INSIGHT)
    items = access.report(caller, municipality, str(kind), beyond_km)
    if fmt == PageFormat.HTML:
        scope = municipality or (None if caller.is_national else caller.municipality)
        page = render(items, scope, str(kind), beyond_km, str(lang))
        return HTMLResponse(page, headers={"Cache-Control": "private, no-store"})
    return {"kind": kind, "beyond_km": beyond_km, "items": items}


@router.get(
    "/api/v1/insights/service-impact",
    response_model=ServiceImpactReport,
    responses=LIST_ERRORS,
)
def service_impact(
    request: Request, caller: CallerDep, policy: PolicyDep, municipality: Code = None
) -> Any:
    """Vetlanda's rule: adopted decisions proposed without a `service_impact`."""
    policy.authorise_query(caller, Read.INSIGHT)
    events = request.app.state.samverkan.events
    return {"items": unassessed_decisions(events, caller, municipality)}


@router.get("/api/v1/insights/indicators", response_model=IndicatorReport, responses=LIST_ERRORS)
def indicators(
    request: Request,
    caller: CallerDep,
    policy: PolicyDep,
    municipality: Code = None,
    locality: Annotated[str | None, Query(max_length=200)] = None,
    name: Annotated[str | None, Query(max_length=200, description="One indicator.")] = None,
) -> Any:
    """Ludvika's statistics: each outcome indicator's values over time, per locality and unit,
    with baseline and target. Retracted outcomes are left out."""
    policy.authorise_query(caller, Read.INSIGHT)
    events = request.app.state.samverkan.events
    return {"items": indicator_series(events, caller, municipality, locality, name)}
