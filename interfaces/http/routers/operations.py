"""Health, readiness and metrics: no authentication, for load balancers and Prometheus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import select

from infrastructure.read_models import VIEWS

router = APIRouter(tags=["operations"])


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "live"}


@router.get("/health/ready", responses={503: {"description": "Not ready"}})
def ready(request: Request) -> Any:
    """The store is reachable and the read models have caught up with the log."""
    events = request.app.state.samverkan.events
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
    except Exception as error:  # any failure to reach the store means "not ready"
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
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
