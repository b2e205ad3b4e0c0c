"""The HTTP baseline: a bare FastAPI `async` endpoint that validates the issue's fields and echoes.

Run with the same uvicorn flags as the product: `uvicorn bench.echo_app:app --loop uvloop
--http httptools --workers 1`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from application.commands import OpenIssue
from interfaces.http import NO_OPENTELEMETRY

app = FastAPI(telemetry=NO_OPENTELEMETRY)  # as the product


@app.post("/api/v1/issues", status_code=201)
async def echo(body: OpenIssue) -> Any:
    return body
