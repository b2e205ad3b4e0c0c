"""Health, readiness and metrics: no authentication, for load balancers and Prometheus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import select

from infrastructure.integrity import ALARM, check_head
from infrastructure.read_models import VIEWS

router = APIRouter(tags=["operations"])


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "live"}


@router.get("/health/ready", responses={503: {"description": "Not ready"}})
def ready(request: Request) -> Any:
    """The store is reachable, its chain verifies where writers extend it (no integrity
    alarm), and the read models have caught up with the log."""
    samverkan = request.app.state.samverkan
    events = samverkan.events
    tracking = VIEWS["tracking"]
    try:
        head = events.recorder.max_notification_id() or 0
        with events.reading() as session:
            projected = (
                session.execute(
                    select(tracking.c.position).where(tracking.c.name == "views")
                ).scalar()
                or 0
            )
            chain = check_head(session, samverkan.chain_key)
    except Exception as error:  # any failure to reach the store means "not ready"
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
    if chain.broken is not None:
        ALARM.raise_(chain.broken, chain.position)
        body = {"status": "integrity alarm", "reason": chain.broken, "position": chain.position}
        return JSONResponse(body, 503)
    body = {
        "status": "ready" if projected >= head else "catching up",
        "log_head": head,
        "projected": projected,
    }
    return JSONResponse(body, 200 if projected >= head else 503)


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
