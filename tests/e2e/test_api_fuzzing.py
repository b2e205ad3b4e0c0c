"""Property-based fuzzing of the app's own OpenAPI schema with schemathesis, in process.

Every check is on, including `object_level_authorization`: schemathesis acts as a caseworker of
Åtvidaberg (0561) and replays each successful read of an Åtvidaberg record as a peer, a
caseworker of Söderhamn (2182), who must not get it. Bounded to a few dozen examples an
operation so that `make test` stays quick; the seed is fixed so a failure reproduces.

Two statuses are expected beyond schemathesis' defaults for schema-valid requests, because a
schema cannot express the state they depend on:
- 412 on commands: `If-Match` names a version the record is not at (any string is a valid
  header; only the store knows the current version);
- 422 on lists and histories: `cursor` is opaque and only a value the service handed out is
  accepted; and on rules across fields that JSON Schema cannot state: a staff handover to
  the user who leaves, a leave that ends before it starts, a timeline whose `to` lies before
  its `from`, indicator names that must be unique within one outcome, a feed's parameters,
  which depend on its kind, and a gallring that names no subject and no record; and on
  business dates that must not lie after today (`decided_on`, `observed_on`, a note's
  `occurred_on`, a service's `opened_on` and `closed_on`) and corrections that must name
  something to correct besides their reason.
And one hook: each generated `Idempotency-Key` gets a unique suffix, because the contract
answers a key reused with a different body with 422, and schemathesis reuses short keys such
as "0" across unrelated cases. Idempotency itself is tested in test_commands.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenIssuer
from interfaces.http.app import create_app
from tests.conftest import settings_for
from tests.e2e.conftest import SÖDERHAMN, ÅTVIDABERG

EXAMPLES_PER_OPERATION = 30
SEED = 561_2182
VALID_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
PAGED = (
    r"^/api/v1/(issues|task-forces|decisions|outcomes|localities|plans|audit/events|subjects|staff)$"
    r"|/history$"
)
CROSS_FIELD = (
    r"^/api/v1/(staff/\{user_id\}/(handover|leave)|exports/timeline"
    r"|outcomes|outcomes/\{outcome_id\}/correct|feeds|gallring)$"
)
# Business dates that must not lie after today (a bound that moves every day), and corrections
# that must name at least one field besides the reason: neither is stated by the JSON Schema.
NOT_AFTER_TODAY = (
    r"^/api/v1/(issues/\{issue_id\}/notes|issues/\{issue_id\}/notes/\{note_id\}/correct"
    r"|decisions/\{decision_id\}/adopt|decisions/\{decision_id\}/correct"
    r"|localities/\{locality_id\}/services"
    r"|localities/\{locality_id\}/services/\{service_id\}/close)$"
)


# Findings in code this suite does not own, reported to its owners; each names its cause.
# A failure not listed here fails the suite. Remove an entry once its cause is fixed.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}  # (operation, check) -> why it is tolerated


@dataclass
class Run:
    """What one schemathesis run did."""

    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"{op} [{check}]: {detail}" for (op, check), detail in sorted(self.failures.items())
        ]
        return "\n".join(lines + [f"error: {e}" for e in self.errors])


def peers_document(settings: Settings, path: Path) -> Path:
    """A Web Fuzzing Commons auth document with one caseworker in each municipality."""
    issuer = TokenIssuer(settings)
    users = {"atvidaberg": ("anna.lind", ÅTVIDABERG), "soderhamn": ("per.sund", SÖDERHAMN)}
    entries = [
        {
            "name": name,
            "fixedHeaders": [
                {
                    "name": "Authorization",
                    "value": f"Bearer {issuer.issue(user, Role.CASEWORKER, code)}",
                }
            ],
        }
        for name, (user, code) in users.items()
    ]
    path.write_text(json.dumps({"auth": entries}))
    return path


def fuzzing_config(auth_document: Path) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"expected-statuses": [*VALID_STATUSES, "412"]},
            },
            "operations": [
                {
                    "include-path-regex": pattern,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*VALID_STATUSES, "412", "422"]
                        }
                    },
                }
                for pattern in (PAGED, CROSS_FIELD, NOT_AFTER_TODAY)
            ],
            "auth": {
                "wfc": {
                    "path": str(auth_document),
                    "user": "atvidaberg",
                    "peers": ["atvidaberg", "soderhamn"],
                }
            },
        }
    )


def failure_detail(recorder: Any, case_id: str, failure: Any) -> str:
    interaction = recorder.interactions.get(case_id)
    title = str(failure).splitlines()[0] if failure else "failed"
    if interaction is None or interaction.response is None:
        return title
    request = interaction.request
    sent = f"{request.method} {request.uri} {str(request.body)[:300]}"
    answer = interaction.response.content[:300]
    return f"{title}: {sent} -> {interaction.response.status_code} {answer!r}"


def collect(stream: Iterator[Any]) -> Run:
    run = Run()
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            run.operations.add(recorder.label)
            run.cases += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE":
                        failure = check.failure_info.failure if check.failure_info else None
                        detail = failure_detail(recorder, case_id, failure)
                        run.failures.setdefault((recorder.label, check.name), detail)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            run.errors.append(str(getattr(event, "info", event))[:500])
    return run


def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Valid keys stay valid (and invalid ones invalid), but no two cases share one.

    The header's name is matched in any case (the schema spells it `idempotency-key`), and keys
    up to the 200-character maximum are made unique too: the coverage phase sends each
    operation's example body with the same keys, `0` and one of 200 characters.
    """
    for name, key in list((case.headers or {}).items()):
        if name.lower() == "idempotency-key" and isinstance(key, str) and 1 <= len(key) <= 200:
            case.headers[name] = f"{key[:163]}-{uuid.uuid4()}"  # at most 200 characters


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("fuzz")
    settings = settings_for("sqlite", directory / "var")
    app: FastAPI = create_app(settings=settings)
    config = fuzzing_config(peers_document(settings, directory / "auth.json"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    schemathesis.hook(before_call)  # schemathesis offers this hook globally only
    try:
        run = collect(from_schema(schema).execute())
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
    print(
        f"\nschemathesis: {len(run.operations)} scenarios, {run.cases} cases, "
        f"{len(run.failures)} failing checks, {len(run.errors)} errors"
    )
    return run


def test_schemathesis_finds_nothing_with_every_check_on(fuzzed: Run) -> None:
    unexpected = {
        key: detail for key, detail in fuzzed.failures.items() if key not in KNOWN_FAILURES
    }
    known = sorted(set(fuzzed.failures) & set(KNOWN_FAILURES))
    print(f"known findings reported to their owners: {known}")
    assert not unexpected and not fuzzed.errors, fuzzed.report()


def test_the_fuzzing_reached_every_operation(fuzzed: Run) -> None:
    assert fuzzed.cases >= EXAMPLES_PER_OPERATION * 10
    assert {"POST /api/v1/issues", "GET /api/v1/issues/{issue_id}"} <= fuzzed.operations
