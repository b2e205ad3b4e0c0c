"""Health, readiness and metrics: no authentication, for load balancers and Prometheus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import select

from infrastructure.integration.relay_state import RelayLag, relay_lag
from infrastructure.store.integrity import ALARM, check_head
from infrastructure.views.read_models import VIEWS

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
        alarm = {"status": "integrity alarm", "reason": chain.broken, "position": chain.position}
        return JSONResponse(alarm, 503)
    body: dict[str, Any] = {
        "status": "ready" if projected >= head else "catching up",
        "log_head": head,
        "projected": projected,
    }
    lag = _relay_lag(request, head)
    if lag is not None:  # the relay's state is reported, never a reason to be unready
        body["relay"] = lag.as_json()
    return JSONResponse(body, 200 if projected >= head else 503)


RELAY_LAG_EVENTS = Gauge(
    "samverkan_relay_lag_events", "Events in the log not yet acknowledged by JetStream."
)
RELAY_LAG_SECONDS = Gauge(
    "samverkan_relay_lag_seconds", "Age of the oldest event not yet acknowledged by JetStream."
)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics, the relay's lag (in events and in seconds) included."""
    try:
        head = request.app.state.samverkan.events.recorder.max_notification_id() or 0
        lag = _relay_lag(request, head)
    except Exception:  # metrics are served even while the store is unreachable
        lag = None
    if lag is not None:
        RELAY_LAG_EVENTS.set(lag.events)
        RELAY_LAG_SECONDS.set(lag.seconds)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _relay_lag(request: Request, head: int) -> RelayLag | None:
    """The lag of the configured stream's relay; None where none has run or can be read."""
    samverkan = request.app.state.samverkan
    try:
        with samverkan.events.reading() as session:
            return relay_lag(session.connection(), samverkan.settings.nats_stream, head)
    except Exception:  # no relay table yet, or the store is down: nothing to report
        return None
