"""The access policy: one place that decides which role may do what, and where."""

from __future__ import annotations

from enum import StrEnum

from application.commands import Command
from application.errors import ForbiddenError, NotFoundError
from domain.values import Actor, Role

WRITERS = frozenset({Role.CASEWORKER, Role.ADMIN})
NATIONAL_ROLES = frozenset({Role.AUDITOR, Role.EVALUATOR})


class Query(StrEnum):
    """The kinds of read, each with the roles that may make it."""

    VIEW = "view"  # record views and lists
    HISTORY = "history"  # a record's events, time travel
    AUDIT_LOG = "audit_log"  # the global log and its verification
    EXPORT = "export"  # timelines
    INSIGHT = "insight"  # person dependency, dialogue cycle
    REBUILD = "rebuild"  # rebuilding read models from the log
    CONTACTS = "contacts"  # units' contact persons: personal data


QUERY_ROLES: dict[Query, frozenset[Role]] = {
    Query.VIEW: frozenset(Role),
    Query.HISTORY: frozenset({Role.CASEWORKER, Role.AUDITOR, Role.ADMIN}),
    Query.AUDIT_LOG: frozenset({Role.AUDITOR, Role.ADMIN}),
    Query.EXPORT: frozenset(Role),
    Query.INSIGHT: frozenset(Role),
    Query.REBUILD: frozenset({Role.ADMIN}),
    Query.CONTACTS: frozenset({Role.CASEWORKER, Role.ADMIN}),
}


class AccessPolicy:
    """Roles from `domain.md`; tenancy by municipality code, `*` for national readers.

    Every command passes `authorise_command` (in the bus) and every read `authorise_query`
    (in the read path); record loads and queries then apply `can_see` / `scope_of`, so a
    foreign record is indistinguishable from a missing one. See docs/access-control.md.
    """

    def authorise_command(self, actor: Actor, command: Command) -> None:
        if actor.role not in WRITERS or actor.is_national:
            raise ForbiddenError(f"The role {actor.role} may not change records.")
        municipality = getattr(command, "municipality", None)
        if municipality is not None and municipality != actor.municipality:
            raise ForbiddenError(
                f"You act for municipality {actor.municipality}, not {municipality}."
            )

    def authorise_query(self, actor: Actor, query: Query) -> None:
        if actor.role not in QUERY_ROLES[query]:
            raise ForbiddenError(f"The role {actor.role} may not read the {query}.")
        if actor.is_national and actor.role not in NATIONAL_ROLES:
            raise ForbiddenError("Only auditors and evaluators may have national scope.")

    def require_visible(self, actor: Actor, municipality: str) -> None:
        """A record of another municipality looks exactly like a missing one."""
        if not self.can_see(actor, municipality):
            raise NotFoundError("No such record.")

    @staticmethod
    def can_see(actor: Actor, municipality: str) -> bool:
        return actor.is_national or actor.municipality == municipality

    @staticmethod
    def home_of(actor: Actor) -> str:
        """The municipality a command acts for; national scope reads but never writes."""
        if actor.is_national:
            raise ForbiddenError("National scope may read, not change records.")
        return actor.municipality

    @staticmethod
    def scope_of(actor: Actor) -> str | None:
        """The one municipality a query must be limited to, or None for national scope."""
        return None if actor.is_national else actor.municipality

    @staticmethod
    def pseudonymises(actor: Actor) -> bool:
        return actor.role == Role.EVALUATOR
