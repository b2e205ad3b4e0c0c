"""The command bus: one handler a command, wrapped in the middleware every command needs.

Order of the middleware, outermost first: logging, authorisation, a lock per record (so
writers in one process queue instead of conflicting), retries of write conflicts between
processes, then one transaction holding idempotency, the expected version and the handler.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import structlog

from application.commands import Command
from application.errors import ConflictError, IdempotencyKeyReuseError, WriteConflictError
from application.handlers import COMMAND_HANDLERS, Handler
from application.policy import AccessPolicy
from application.ports import CommandContext, CommandResult, Store

logger = structlog.get_logger("samverkan.command")


class RecordLocks:
    """Striped locks: commands on one record in this process run one at a time."""

    def __init__(self, stripes: int = 1024) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def hold(self, record_id: UUID | None) -> Iterator[None]:
        if record_id is None:  # a new record cannot conflict with anyone
            yield
            return
        with self._locks[record_id.int % len(self._locks)]:
            yield


def fingerprint(command: Command) -> str:
    """What an idempotency key is bound to: the command's type and content."""
    content = type(command).__name__.encode() + b"\0" + command.model_dump_json().encode()
    return hashlib.sha256(content).hexdigest()


class CommandBus:
    def __init__(
        self,
        store: Store,
        policy: AccessPolicy | None = None,
        handlers: dict[type[Command], Handler] | None = None,
        retry_budget_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self.policy = policy or AccessPolicy()
        self.handlers = handlers or COMMAND_HANDLERS
        self.retry_budget_seconds = retry_budget_seconds
        self.locks = RecordLocks()

    def dispatch(self, command: Command, context: CommandContext) -> CommandResult:
        handler = self.handlers[type(command)]
        log = logger.bind(
            command=type(command).__name__,
            command_id=context.command_id,
            record_id=str(command.target),
        )
        started = time.perf_counter()
        try:
            self.policy.authorise_command(context.actor, command)
            with self.locks.hold(command.target):
                result = self._with_retries(handler, command, context)
        except Exception as error:
            log.info("command", outcome=type(error).__name__, ms=_ms_since(started))
            raise
        log.info(
            "command",
            outcome="ok",
            record_id=str(result.id),
            version=result.version,
            position=result.position,
            ms=_ms_since(started),
        )
        return result

    def _with_retries(
        self, handler: Handler, command: Command, context: CommandContext
    ) -> CommandResult:
        deadline = time.monotonic() + self.retry_budget_seconds
        attempt = 0
        while True:
            try:
                return self._once(handler, command, context)
            except WriteConflictError as conflict:
                attempt += 1
                if time.monotonic() >= deadline:
                    raise ConflictError(
                        "The record kept changing under this command; nothing was written."
                    ) from conflict
                time.sleep(min(0.002 * 2**attempt, 0.1) * random.uniform(0.5, 1.5))

    def _once(self, handler: Handler, command: Command, context: CommandContext) -> CommandResult:
        key = context.idempotency_key
        with self.store.unit_of_work(context, command.target) as uow:
            if key is None:
                return handler(command, uow)
            remembered = uow.recall(key)
            if remembered is not None:
                if remembered.fingerprint != fingerprint(command):
                    raise IdempotencyKeyReuseError(
                        "This Idempotency-Key was already used for a different request."
                    )
                return remembered.result
            result = handler(command, uow)
            uow.remember(key, fingerprint(command), result)
            return result


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
