"""Reads about data subjects: the list of persons recorded, and the register extract."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from application.errors import NotFoundError
from domain.personal import SUBJECT_PREFIX, declared, value_at
from infrastructure.store.event_store import EventStore
from infrastructure.views.projections import event_type
from infrastructure.views.queries import Page, decode_cursor, encode_cursor
from infrastructure.views.read_models import VIEWS
from infrastructure.views.record_log import record_events
from infrastructure.views.text_search import holds

# What an extract shows of a person in an event: the personal fields and what places them.
PERSON_FIELDS = (
    "display_name",
    "organisation",
    "role",
    "email",
    "phone",
    "user_id",
    "member_id",
    "contact_id",
)


class SubjectQueries:
    def __init__(self, events: EventStore) -> None:
        self.events = events

    def page(self, municipality: str, text: str | None, limit: int, cursor: str | None) -> Page:
        """Persons recorded in the municipality, most recently first recorded first."""
        view = VIEWS["subject"]
        first = func.min(view.c.position).label("first")
        query = select(view.c.subject_id, first).where(view.c.municipality == municipality)
        if text:
            needle = text.lower()
            query = query.where(
                holds(func.lower(view.c.display_name), needle)
                | holds(func.lower(view.c.organisation), needle)
            )
        query = query.group_by(view.c.subject_id)
        if cursor is not None:
            query = query.having(first < decode_cursor(cursor))
        query = query.order_by(first.desc()).limit(limit + 1)
        with self.events.reading() as session:
            found = session.execute(query).all()
            more = len(found) > limit
            found = found[:limit]
            ids = [row[0] for row in found]
            rows = session.execute(
                select(view).where(view.c.subject_id.in_(ids)).order_by(view.c.position)
            ).mappings()
            by_subject: dict[str, list[Any]] = {}
            for row in rows:
                by_subject.setdefault(row["subject_id"], []).append(row)
        items = []
        for subject_id in ids:
            appearances = by_subject[subject_id]
            items.append(
                {
                    "subject_id": subject_id,
                    "display_name": appearances[-1]["display_name"],
                    "organisation": appearances[-1]["organisation"],
                    "records": sorted({a["record_id"] for a in appearances}),
                }
            )
        return Page(items, encode_cursor(found[-1][1]) if more else None)

    def extract(self, municipality: str, subject_id: UUID) -> dict[str, Any]:
        """Registerutdrag: every record and field where the subject appears, with its values."""
        view = VIEWS["subject"]
        with self.events.reading() as session:
            appearances = list(
                session.execute(
                    select(view)
                    .where(view.c.subject_id == str(subject_id))
                    .order_by(view.c.position)
                ).mappings()
            )
            if not appearances or appearances[0]["municipality"] != municipality:
                raise NotFoundError(f"No subject {subject_id}.")
            records = []
            for record_id in dict.fromkeys(a["record_id"] for a in appearances):
                kind = next(a["record_type"] for a in appearances if a["record_id"] == record_id)
                fields = self._fields(session, UUID(record_id), str(subject_id))
                records.append({"record_id": record_id, "record_type": kind, "fields": fields})
        last = appearances[-1]
        return {
            "subject_id": str(subject_id),
            "municipality": municipality,
            "display_name": last["display_name"],
            "organisation": last["organisation"],
            "records": records,
        }

    def _fields(self, session: Any, record_id: UUID, subject_id: str) -> list[dict[str, Any]]:
        """The subject's entries in the record's events: every field of the person, each time."""
        fields = []
        for position, event in record_events(self.events, session, record_id):
            version = event.originator_version
            state_now = vars(event)
            by_id_path: dict[str, set[str]] = {}  # where the subject id is: its personal fields
            for path, owner in declared(type(event)).items():
                if owner.startswith(SUBJECT_PREFIX):
                    by_id_path.setdefault(owner[len(SUBJECT_PREFIX) :], set()).add(path)
            for id_path, personal in by_id_path.items():
                if value_at(state_now, id_path) != subject_id:
                    continue
                parent = id_path.rpartition(".")[0]
                person = value_at(state_now, parent) if parent else state_now
                for name in PERSON_FIELDS:
                    if isinstance(person, dict) and person.get(name) is not None:
                        field = f"{parent}.{name}" if parent else name
                        fields.append(
                            {
                                "position": position,
                                "version": version,
                                "event": event_type(event),
                                "field": field,
                                "value": person[name],
                                "personal": field in personal,
                            }
                        )
        return fields
