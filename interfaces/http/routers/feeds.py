"""Calendar feeds: a subscribable URL with a revocable token that reads one `.ics` answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field, StringConstraints

from application.commands import TEXT
from application.errors import NotFoundError
from application.policy import Query as Read
from infrastructure.feeds import FEED_ROUTES, FeedKind, feed_url
from interfaces.http.problems import responses
from interfaces.http.reading import PolicyDep
from interfaces.http.schemas import Schema
from interfaces.http.security import CallerDep

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])
ParamValue = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT)]
ALLOWED = "; ".join(f"`{k}`: {', '.join(sorted(v[2]))}" for k, v in FEED_ROUTES.items())


class FeedRequest(Schema):
    """A calendar feed to subscribe to: its kind and the query it answers."""

    model_config = Schema.model_config | {"extra": "forbid"}

    kind: FeedKind
    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        max_length=6,
        description=f"The feed's query parameters. Allowed per kind: {ALLOWED}.",
    )


class FeedCreated(Schema):
    id: UUID
    url: str = Field(description="Subscribe to this URL; its token reads this feed only.")
    expires_at: datetime


class FeedRevoked(Schema):
    id: UUID
    revoked_at: datetime


@router.post(
    "",
    status_code=201,
    response_model=FeedCreated,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def create_feed(
    body: FeedRequest, caller: CallerDep, policy: PolicyDep, request: Request, response: Response
) -> Any:
    """A subscribable calendar URL for the caller, with a feed token that can be revoked.

    The feed reads as its creator reads, within the creator's scope, and only its own `.ics`
    answer; no other route accepts its token, and no other token is accepted in a URL.
    """
    policy.authorise_query(caller, Read.EXPORT)
    unknown = set(body.params) - FEED_ROUTES[body.kind][2]
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("body", "params", name), "msg": "not a parameter of this feed"}
                for name in sorted(unknown)
            ]
        )
    feed = request.app.state.feeds.create(caller, body.kind, body.params)
    response.headers["Location"] = f"/api/v1/feeds/{feed.id}"
    base = str(request.base_url)
    return {
        "id": feed.id,
        "url": feed_url(base, body.kind, body.params, feed.token),
        "expires_at": feed.expires_at,
    }


@router.delete(
    "/{feed_id}", response_model=FeedRevoked, responses=responses(401, 403, 404, 429, 503)
)
def revoke_feed(feed_id: UUID, caller: CallerDep, policy: PolicyDep, request: Request) -> Any:
    """Revoke a feed (its owner, or an admin of its municipality): its URL answers 401 from now."""
    policy.authorise_query(caller, Read.EXPORT)
    revoked_at = request.app.state.feeds.revoke(feed_id, caller)
    if revoked_at is None:
        raise NotFoundError(f"No feed {feed_id}.")
    return {"id": feed_id, "revoked_at": revoked_at}
