"""The CRUD peer: the same route as plain FastAPI + SQLAlchemy, one row per issue, no history.

What a team would write instead of Samverkan: the same validation (the same pydantic model),
the same authentication (PyJWT verifying the same EdDSA key, issuer and audience), the same
durability (SQLite in WAL mode with synchronous=FULL, committed before the 201), and the same
server flags. Configured by `BENCH_PEER_VAR_DIR` (where the token key lives and the database goes).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import JSON, DateTime, Integer, String, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from application.commands import OpenIssue
from infrastructure.store.keys import token_signing_key
from interfaces.http import NO_OPENTELEMETRY

VAR_DIR = Path(os.environ.get("BENCH_PEER_VAR_DIR", "./var/peer"))
PUBLIC_KEY = token_signing_key(VAR_DIR).public_key()
engine = create_engine(f"sqlite:///{VAR_DIR / 'peer.db'}", connect_args={"timeout": 30})


@event.listens_for(engine, "connect")
def _durable(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")


class Base(DeclarativeBase):
    pass


class IssueRow(Base):
    __tablename__ = "issues"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    municipality: Mapped[str] = mapped_column(String(4), index=True)
    locality: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(10_000))
    category: Mapped[str] = mapped_column(String(40))
    raised_by: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Base.metadata.create_all(engine)
bearer = HTTPBearer(auto_error=False)
app = FastAPI(telemetry=NO_OPENTELEMETRY)  # as the product


def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Any:
    if credentials is None:
        raise HTTPException(401)
    try:
        return jwt.decode(
            credentials.credentials,
            PUBLIC_KEY,
            algorithms=["EdDSA"],
            audience="samverkan-api",
            issuer="samverkan",
            options={"require": ["sub", "exp", "iss", "aud", "role", "municipality"]},
        )
    except jwt.PyJWTError as error:
        raise HTTPException(401) from error


@app.post("/api/v1/issues", status_code=201)
def open_issue(body: OpenIssue, claims: Annotated[Any, Depends(caller)], response: Response) -> Any:
    if claims["role"] != "caseworker" or claims["municipality"] != body.municipality:
        raise HTTPException(403)
    issue_id = str(uuid.uuid4())
    row = IssueRow(
        id=issue_id,
        version=1,
        status="open",
        created_by=claims["sub"],
        created_at=datetime.now(UTC),
        **body.model_dump(mode="json"),
    )
    with Session(engine) as session, session.begin():
        session.add(row)
    response.headers["Location"] = f"/api/v1/issues/{issue_id}"
    response.headers["ETag"] = '"1"'
    return {"id": issue_id, "version": 1}
