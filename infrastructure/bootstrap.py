"""Wiring: build the event store, views, store and bus once, from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from application.bus import CommandBus
from application.policy import AccessPolicy
from infrastructure.settings import Settings, get_settings
from infrastructure.store.event_store import EventStore
from infrastructure.store.gallring import prepare_personal_data
from infrastructure.store.keys import (
    KeyFileError,
    chain_key,
    checkpoint_signing_key,
    make_private,
    private_directory,
    token_signing_key,
)
from infrastructure.store.registrations import number_issues_opened_before_numbers
from infrastructure.store.schema import opening_alone
from infrastructure.store.unit_of_work import SqlStore
from infrastructure.views.read_models import schema_fingerprint
from infrastructure.views.replay import ensure_views

EVENTS_TABLE = "samverkan_events"


class StoreNotFoundError(Exception):
    """A read command found no store (or no key) where the settings point."""


@dataclass
class Samverkan:
    """The running service's parts, shared by the HTTP app and the CLI."""

    settings: Settings
    events: EventStore
    policy: AccessPolicy
    bus: CommandBus
    chain_key: bytes

    def close(self) -> None:
        self.events.close()


def bootstrap(settings: Settings | None = None, create: bool = True) -> Samverkan:
    """Open the store; with `create=False` (read commands) never make a store or a key up."""
    settings = settings or get_settings()
    if not create:
        require_existing_store(settings)
    private_directory(settings.var_dir)
    key = chain_key(settings.var_dir, create)
    if create:  # the keys are made with the store, never by a read command
        checkpoint_signing_key(settings.var_dir)
        token_signing_key(settings.var_dir)
    with opening_alone(settings.store_url):  # workers starting together take turns
        events = EventStore.open(settings.store_url, key, settings.pool_size, settings.var_dir)
        if settings.sqlite_file is not None:
            for suffix in ("", "-wal", "-shm"):
                make_private(settings.sqlite_file.with_name(settings.sqlite_file.name + suffix))
        ensure_views(events, schema_fingerprint(events.datastore.engine.dialect))
        prepare_personal_data(events)
        policy = AccessPolicy()
        bus = CommandBus(SqlStore(events, policy=policy), policy)
        if create:  # a writer's start-up; read commands never record anything
            number_issues_opened_before_numbers(events, bus)
    return Samverkan(settings, events, policy, bus, key)


def describe(settings: Settings) -> str:
    """The store and var dir a command uses, for stderr (a password is never shown)."""
    url = make_url(settings.store_url).render_as_string(hide_password=True)
    return f"store {url}, var dir {settings.var_dir.resolve()}"


def require_existing_store(settings: Settings) -> None:
    where = describe(settings)
    if settings.sqlite_file is not None:
        if not settings.sqlite_file.exists():
            raise StoreNotFoundError(f"There is no store here ({where}).")
    elif settings.is_sqlite:
        raise StoreNotFoundError(f"An in-memory store cannot be read from outside ({where}).")
    else:
        engine = create_engine(settings.store_url)
        try:
            found = inspect(engine).has_table(EVENTS_TABLE)
        except SQLAlchemyError as error:
            raise StoreNotFoundError(f"The store cannot be reached ({where}).") from error
        finally:
            engine.dispose()
        if not found:
            raise StoreNotFoundError(f"There is no store here ({where}).")
    try:
        chain_key(settings.var_dir, create=False)
    except KeyFileError as error:
        raise StoreNotFoundError(f"{error} ({where})") from error
