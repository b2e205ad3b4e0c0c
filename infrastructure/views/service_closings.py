"""Service closings nobody has followed up: a shop closed and no dialogue was recorded since.

For each registered locality, its latest service closing is compared with the latest dialogue
(a dialogue, meeting or site visit note) on any issue of the same locality, matched by name as
the register matches names. Read in the caller's transaction, scoped like every insight.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from domain.locality import locality_id
from infrastructure.views.read_models import VIEWS

LOCALITY, ISSUE, NOTE = VIEWS["locality"], VIEWS["issue"], VIEWS["note"]


def unanswered_closings(
    session: Session,
    issue_scope: ColumnElement[bool],
    locality_scope: ColumnElement[bool],
    dialogue_kinds: tuple[str, ...],
) -> dict[UUID, dict[str, Any]]:
    """Registered localities whose latest closing has no dialogue on or after its date."""
    rows = session.execute(
        select(LOCALITY.c.municipality, LOCALITY.c.name, LOCALITY.c.services).where(locality_scope)
    ).all()
    closed: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        dates = [s["closed_on"] for s in row.services if s["closed_on"]]
        if dates:
            key = locality_id(row.municipality, row.name)
            closed[key] = {
                "municipality": row.municipality,
                "locality": row.name,
                "closed_on": date.fromisoformat(max(dates)),
            }
    if not closed:
        return {}
    last_dialogue = session.execute(
        select(ISSUE.c.municipality, ISSUE.c.locality, func.max(NOTE.c.occurred_on))
        .select_from(NOTE.join(ISSUE, ISSUE.c.id == NOTE.c.issue_id))
        .where(issue_scope, NOTE.c.kind.in_(dialogue_kinds))
        .group_by(ISSUE.c.municipality, ISSUE.c.locality)
    ).all()
    for municipality, name, last_on in last_dialogue:
        entry = closed.get(locality_id(municipality, name))
        if entry is not None and last_on is not None and last_on >= entry["closed_on"]:
            del closed[locality_id(municipality, name)]
    return closed
