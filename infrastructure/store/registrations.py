"""Registration numbers: the next free serial, and numbers for issues opened before them.

The highest serial is read from the issue view inside the command's own transaction (once per
group commit, see `SqlUnitOfWork.next_registration_number`), after every earlier number, so a
rolled-back command gives its number back and none is skipped. The read waits for the log's
write lock, so two server processes never read the same highest number; should they ever, the
unique index on (municipality, year, serial) fails the second, whose command is retried.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from application.bus import CommandBus
from application.commands import RegisterIssue
from application.ports import CommandContext
from domain.errors import AlreadyRegisteredError
from domain.values import SYSTEM_USER, Actor, Role
from infrastructure.store.event_store import EventStore
from infrastructure.views.read_models import VIEWS

ISSUE = VIEWS["issue"]
TRACKING = VIEWS["tracking"]
NUMBERED = "registration_numbers"  # the tracking row of a store whose issues all have one


def highest_serial(session: Session, municipality: str, year: int) -> int:
    """The highest serial of a municipality's year in the issue view; 0 before the first."""
    # On the session's connection: the ORM session's own execute costs more than the query.
    highest = (
        session.connection()
        .execute(_HIGHEST_SERIAL, {"municipality": municipality, "year": year})
        .scalar()
    )
    return int(highest or 0)


# The last entry of the unique index, built once: `max()` made SQLite walk the whole year's
# entries (about 1 ms at 2,000 issues), where ORDER BY ... DESC LIMIT 1 reads one.
_HIGHEST_SERIAL = (
    select(ISSUE.c.registration_serial)
    .where(
        ISSUE.c.municipality == bindparam("municipality"),
        ISSUE.c.registration_year == bindparam("year"),
        ISSUE.c.registration_serial.is_not(None),
    )
    .order_by(ISSUE.c.registration_serial.desc())
    .limit(1)
)


def number_issues_opened_before_numbers(events: EventStore, bus: CommandBus) -> int:
    """Once per store, at its first start-up as a writer: number the issues opened without one.

    Since release 2 every issue is numbered at opening, so only a store written before that
    holds unnumbered issues. A tracking row records that the store has been through this, so
    later start-ups (and every worker) skip it. Returns how many issues were numbered.
    """
    with events.reading() as session:
        if session.execute(select(TRACKING.c.name).where(TRACKING.c.name == NUMBERED)).first():
            return 0
    registered = register_unnumbered_issues(events, bus)
    try:
        with events.transaction() as session:
            session.execute(insert(TRACKING).values(name=NUMBERED, position=0, schema=""))
    except IntegrityError:
        pass  # another process recorded it first
    return registered


def register_unnumbered_issues(events: EventStore, bus: CommandBus) -> int:
    """Number every issue without one, in opening order, through `Issue.Registered` events.

    Each number is recorded by the system as its own command, for the issue's municipality,
    in the year the issue was opened. Returns how many issues were numbered.
    """
    with events.reading() as session:
        unnumbered = session.execute(
            select(ISSUE.c.id, ISSUE.c.municipality)
            .where(ISSUE.c.registration_number.is_(None))
            .order_by(ISSUE.c.position)
        ).all()
    registered = 0
    correlation_id = str(uuid4())
    for issue_id, municipality in unnumbered:
        actor = Actor(SYSTEM_USER, Role.ADMIN, municipality)
        context = CommandContext(actor=actor, correlation_id=correlation_id)
        try:
            bus.dispatch(RegisterIssue(issue_id=UUID(issue_id)), context)
        except AlreadyRegisteredError:
            continue  # another server process numbered it first
        registered += 1
    return registered
