"""One canonical log line per request and one per command, tied together by the request id.

The command runs on a command thread (`interfaces.http.commanding.run_command`), not on the
event loop that bound the request id: its line must carry the id all the same.
"""

from __future__ import annotations

import structlog
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from tests.e2e.conftest import Headers, issue_body


def test_the_command_line_carries_the_request_id_of_its_request(
    client: TestClient, caseworker: Headers
) -> None:
    headers = {**caseworker, "X-Request-Id": "kansli-4711"}
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        answer = client.post("/api/v1/issues", json=issue_body(), headers=headers)
    assert answer.status_code == 201, answer.text
    (command,) = [line for line in logs if line["event"] == "command"]
    (request,) = [line for line in logs if line["event"] == "request"]
    assert command["request_id"] == request["request_id"] == "kansli-4711"
    assert command["command"] == "OpenIssue" and command["outcome"] == "ok"
    assert command["record_id"] == answer.json()["id"]
