"""Data subjects: the persons recorded on records, found again by name and organisation."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from infrastructure.views.read_models import VIEWS


def subject_for(session: Session, municipality: str, display_name: str, organisation: str) -> str:
    """The subject id of an existing person so named in the municipality, or a new one."""
    view = VIEWS["subject"]
    found = session.execute(
        select(view.c.subject_id)
        .where(
            view.c.municipality == municipality,
            view.c.display_name == display_name,
            view.c.organisation == organisation,
        )
        .order_by(view.c.position)
        .limit(1)
    ).scalar()
    return str(found) if found is not None else str(uuid4())
