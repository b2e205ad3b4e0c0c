"""Wiring: build the event store, views, store and bus once, from settings."""

from __future__ import annotations

from dataclasses import dataclass

from application.bus import CommandBus
from application.policy import AccessPolicy
from infrastructure.event_store import EventStore
from infrastructure.gallring import prepare_personal_data
from infrastructure.keys import chain_key
from infrastructure.read_models import schema_fingerprint
from infrastructure.replay import ensure_views
from infrastructure.settings import Settings, get_settings
from infrastructure.unit_of_work import SqlStore


@dataclass
class Samverkan:
    """The running service's parts, shared by the HTTP app and the CLI."""

    settings: Settings
    events: EventStore
    policy: AccessPolicy
    bus: CommandBus

    def close(self) -> None:
        self.events.close()


def bootstrap(settings: Settings | None = None) -> Samverkan:
    settings = settings or get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    events = EventStore.open(
        settings.store_url, chain_key(settings.var_dir), settings.pool_size, settings.var_dir
    )
    ensure_views(events, schema_fingerprint(events.datastore.engine.dialect))
    prepare_personal_data(events)
    policy = AccessPolicy()
    bus = CommandBus(SqlStore(events, policy=policy), policy)
    return Samverkan(settings, events, policy, bus)
