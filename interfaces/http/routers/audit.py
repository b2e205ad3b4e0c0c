"""Auditors: each record's history, the global log of a scope, and verification of the chain."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ConfigDict, Field

from application.confidentiality import conceal_events
from application.policy import AccessPolicy
from application.policy import Query as Read
from domain.values import Actor
from infrastructure.store.checkpoints import (
    checkpoint_consistency,
    public_key_info,
    take_checkpoint,
)
from infrastructure.views.audit import EVENT_FIELDS, AuditQueries
from interfaces.http.problems import responses
from interfaces.http.reading import Cursor, Limit, PolicyDep
from interfaces.http.schemas import Page, Schema
from interfaces.http.security import CallerDep

router = APIRouter(tags=["audit"])
HISTORY_ERRORS = responses(401, 403, 404, 422, 429, 503)
LOG_ERRORS = responses(401, 403, 422, 429, 503)
DATA_SHAPES = "; ".join(f"`{t}`: {', '.join(f) or '(none)'}" for t, f in EVENT_FIELDS.items())


class EventActor(Schema):
    user_id: str
    role: str
    municipality: str


class HistoryItem(Schema):
    """One event of a record, as recorded: who, when, under which command, and what."""

    position: int = Field(description="The event's position in the global log.")
    version: int = Field(description="The record's version after this event; the first is 1.")
    type: str = Field(description="`<Aggregate>.<Event>`, e.g. `Issue.NoteAdded`.")
    occurred_at: datetime
    actor: EventActor
    command_id: str
    correlation_id: str
    data: dict[str, Any] = Field(
        description="The event's own fields, by type. UUIDs, dates, instants and decimals are "
        "strings. " + DATA_SHAPES
    )


class LogItem(HistoryItem):
    """One event of the global log: a history item, plus the record it belongs to."""

    aggregate_type: str = Field(description="issue, task_force, decision or outcome.")
    aggregate_id: UUID


class Incident(Schema):
    """An integrity incident an operator recorded to end an alarm: the break stays reported."""

    position: int = Field(description="The incident's own position in the log.")
    recorded_at: datetime
    recorded_by: str
    broken_position: int
    found: str = Field(description="Why writers could not extend the chain.")
    reason: str = Field(description="The operator's account.")
    old_head: dict[str, Any] = Field(description="The head as found: position, hash, signed.")
    continued_from: dict[str, Any] = Field(description="Where the chain goes on from.")


class ChainVerification(Schema):
    """The result of rechecking the whole hash chain: only counts and hashes."""

    intact: bool = Field(description="False after any break, recorded incidents included.")
    checked: int = Field(description="How many events were rechecked.")
    first_broken_position: int | None
    head: str = Field(description="The recomputed SHA-256 head of the chain, in hex.")
    incidents: list[Incident] = Field(description="Integrity incidents recorded in the log.")


class Checkpoint(Schema):
    """A signed statement that the log's first `position` events chain to `hash`."""

    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=0, le=2**53 - 1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the chain, in hex.")
    signed_at: str = Field(max_length=64, description="When it was signed (ISO 8601, UTC).")
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="Which key signed it.")
    signature: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,128}={0,2}$",
        description="Ed25519, base64url, over the canonical JSON (sorted keys, no spaces) of "
        "the other four fields.",
    )


class CheckpointKey(Schema):
    key_id: str
    public_key_pem: str = Field(description="The Ed25519 public key, PEM (SubjectPublicKeyInfo).")


class CheckpointConsistency(Schema):
    consistent: bool = Field(
        description="The signature is this service's and the log still chains to exactly that "
        "hash at that position: false for a rewritten, truncated or rolled-back log."
    )
    detail: str


def get_audit(request: Request) -> AuditQueries:
    state = request.app.state
    if not hasattr(state, "audit"):
        state.audit = AuditQueries(state.samverkan.events, state.samverkan.policy)
    return state.audit  # type: ignore[no-any-return]


AuditDep = Annotated[AuditQueries, Depends(get_audit)]


def _history(
    kind: str,
    record_id: UUID,
    caller: Actor,
    audit: AuditQueries,
    policy: AccessPolicy,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    policy.authorise_query(caller, Read.HISTORY)
    page = audit.history(kind, caller, record_id, limit, cursor)
    return {"items": conceal_events(page.items, caller), "next_cursor": page.next_cursor}


HISTORY = {"response_model": Page[HistoryItem], "responses": HISTORY_ERRORS}


@router.get("/api/v1/issues/{issue_id}/history", **HISTORY)  # type: ignore[arg-type]
def issue_history(
    issue_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event of the issue, oldest first."""
    return _history("issue", issue_id, caller, audit, policy, limit, cursor)


@router.get("/api/v1/task-forces/{task_force_id}/history", **HISTORY)  # type: ignore[arg-type]
def task_force_history(
    task_force_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event of the task force, oldest first."""
    return _history("task_force", task_force_id, caller, audit, policy, limit, cursor)


@router.get("/api/v1/decisions/{decision_id}/history", **HISTORY)  # type: ignore[arg-type]
def decision_history(
    decision_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event of the decision, oldest first."""
    return _history("decision", decision_id, caller, audit, policy, limit, cursor)


@router.get("/api/v1/outcomes/{outcome_id}/history", **HISTORY)  # type: ignore[arg-type]
def outcome_history(
    outcome_id: UUID,
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Every event of the outcome, oldest first."""
    return _history("outcome", outcome_id, caller, audit, policy, limit, cursor)


@router.get("/api/v1/audit/events", response_model=Page[LogItem], responses=LOG_ERRORS)
def audit_events(
    caller: CallerDep,
    audit: AuditDep,
    policy: PolicyDep,
    after: Annotated[
        int, Query(ge=0, le=2**62, description="Only events after this log position.")
    ] = 0,
    limit: Limit = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="From `next_cursor`; beats `after`.")
    ] = None,
) -> Any:
    """The global log of the caller's scope, in strictly increasing positions.

    Follow it with `after=<last position seen>`: events commit in position order, so a
    follower never skips one that a slower writer commits late. `next_cursor` is null at the
    current end of the log.
    """
    policy.authorise_query(caller, Read.AUDIT_LOG)
    page = audit.log(caller, after, limit, cursor)
    return {"items": conceal_events(page.items, caller), "next_cursor": page.next_cursor}


@router.get("/api/v1/audit/verify", response_model=ChainVerification, responses=LOG_ERRORS)
def audit_verify(caller: CallerDep, audit: AuditDep, policy: PolicyDep, request: Request) -> Any:
    """Recheck the whole hash chain and its signed head; name the first broken position.

    Any auditor or admin may run it, whatever their scope: it reveals only counts and hashes.
    """
    policy.authorise_query(caller, Read.AUDIT_LOG)
    return asdict(audit.verify(request.app.state.samverkan.chain_key))


CHECKPOINT_ERRORS = responses(401, 403, 422, 429, 503)


@router.get("/api/v1/audit/checkpoint", response_model=Checkpoint, responses=CHECKPOINT_ERRORS)
def audit_checkpoint(caller: CallerDep, policy: PolicyDep, request: Request) -> Any:
    """A signed checkpoint of the log as it is now: keep it, and check the log against it later.

    Refused (503, integrity alarm) while the chain's signed head does not verify: a checkpoint
    never vouches for a chain a writer would refuse to extend.
    """
    policy.authorise_query(caller, Read.AUDIT_LOG)
    samverkan = request.app.state.samverkan
    return take_checkpoint(samverkan.events, samverkan.settings.var_dir)


@router.get(
    "/api/v1/audit/checkpoint-key", response_model=CheckpointKey, responses=CHECKPOINT_ERRORS
)
def audit_checkpoint_key(caller: CallerDep, policy: PolicyDep, request: Request) -> Any:
    """The public key that signs checkpoints, to check them offline."""
    policy.authorise_query(caller, Read.AUDIT_LOG)
    return public_key_info(request.app.state.samverkan.settings.var_dir)


@router.post(
    "/api/v1/audit/checkpoint/verify",
    response_model=CheckpointConsistency,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def audit_checkpoint_verify(
    checkpoint: Checkpoint, caller: CallerDep, policy: PolicyDep, request: Request
) -> Any:
    """Is the log still consistent with this checkpoint? Send it exactly as it was served."""
    policy.authorise_query(caller, Read.AUDIT_LOG)
    samverkan = request.app.state.samverkan
    consistent, detail = checkpoint_consistency(
        samverkan.events, checkpoint.model_dump(), samverkan.settings.var_dir
    )
    return {"consistent": consistent, "detail": detail}
