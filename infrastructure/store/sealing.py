"""Encrypt first, then hash: the mapper that seals personal fields before the chain sees them.

`SealingMapper.to_stored_event` replaces each declared personal field (`domain.personal`) with
an envelope, `{"__sealed__": 1, "k": key id, "m": municipality, "n": nonce, "c": ciphertext}`:
AES-256-GCM under the record's free-text key or the subject's key, with a fresh 12-byte nonce
and the municipality, record id, version and field path as associated data. A string field
never holds a JSON object, so an envelope cannot be mistaken for plain data. The hash chain
covers these stored bytes, so destroying a key later leaves every link valid.

`to_domain_event` opens the envelopes; a value whose key was destroyed reads "[gallrad]".
Events written before this mapper existed have no envelopes and load as they are.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.personal import GALLRAD, SUBJECT_PREFIX, declared, value_at
from infrastructure.store.key_assignments import RECORD, SUBJECT, assign, current_key
from infrastructure.store.keystore import KeyStore
from infrastructure.views.read_models import VIEWS

SEALED = "__sealed__"
UNREADABLE = "[oläslig]"  # an envelope that does not open: tampered with (verify says where)
KEYS_IN_TRANSACTION = "samverkan.sealing_keys"


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SEALED) == 1


def _associated(municipality: str, record_id: Any, version: int, path: str) -> bytes:
    return f"{municipality}|{record_id}|{version}|{path}".encode()


def seal(
    key_id: str, key: bytes, municipality: str, record_id: Any, version: int, path: str, value: Any
) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    plaintext = json.dumps(value, ensure_ascii=False).encode()
    ciphertext = AESGCM(key).encrypt(
        nonce, plaintext, _associated(municipality, record_id, version, path)
    )
    return {
        SEALED: 1,
        "k": key_id,
        "m": municipality,
        "n": base64.b64encode(nonce).decode(),
        "c": base64.b64encode(ciphertext).decode(),
    }


class SealingMapper(Mapper[Any]):
    """The library's mapper, with declared personal fields sealed on the way in and out."""

    def __init__(self, base: Mapper[Any], datastore: SQLAlchemyDatastore, keys: KeyStore):
        super().__init__(base.transcoder, base.compressor, base.cipher)
        self.datastore = datastore
        self.keys = keys

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        fields = declared(type(domain_event))
        if not fields:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        self._seal(state, fields, originator_id, version)
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=version,
            topic=get_topic(type(domain_event)),
            state=stored,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        fields = declared(type(event))
        if not fields:
            return event
        state = vars(event)
        for path in fields:
            value = value_at(state, path)
            if is_sealed(value):
                put(state, path, self._open(value, stored_event, path))
        return event

    def _open(self, envelope: dict[str, Any], stored: StoredEvent, path: str) -> Any:
        key = self.keys.get(envelope["k"])
        if key is None:
            return GALLRAD
        associated = _associated(
            envelope["m"], stored.originator_id, stored.originator_version, path
        )
        try:
            plaintext = AESGCM(key).decrypt(
                base64.b64decode(envelope["n"]), base64.b64decode(envelope["c"]), associated
            )
        except (InvalidTag, ValueError):
            return UNREADABLE
        return orjson.loads(plaintext)  # what `seal` wrote: plain JSON, no tagged values

    def _seal(
        self, state: dict[str, Any], fields: dict[str, str], record_id: Any, version: int
    ) -> None:
        with self.datastore.transaction(commit=True) as session:
            municipality = state.get("municipality")
            new = version == 1  # a record's first event: it has no key yet
            record = self._key(session, RECORD, str(record_id), municipality, new)
            for path, owner in fields.items():
                value = value_at(state, path)
                if value is None or is_sealed(value):
                    continue
                key_id, key, where = record
                if owner.startswith(SUBJECT_PREFIX):
                    subject_id = value_at(state, owner[len(SUBJECT_PREFIX) :])
                    if subject_id:
                        key_id, key, where = self._key(session, SUBJECT, str(subject_id), record[2])
                put(state, path, seal(key_id, key, where, record_id, version, path, value))

    def _key(
        self,
        session: Session,
        kind: str,
        owner_id: str,
        municipality: str | None,
        new: bool = False,
    ) -> tuple[str, bytes, str]:
        """The owner's key, assigned in this transaction from the pool if it has none yet."""
        known = _keys_in_transaction(session)
        found = known.get((kind, owner_id))
        if found is not None:
            return found
        current = None if new else current_key(session, kind, owner_id)
        key = None if current is None else self.keys.get(current[0])
        if current is not None and key is not None:
            found = (current[0], key, current[1])
        else:
            where = municipality or _municipality_of(session, owner_id)
            key_id, key = self.keys.take()
            assign(session, key_id, kind, owner_id, where)
            found = (key_id, key, where)
        known[(kind, owner_id)] = found
        return found


def _keys_in_transaction(session: Session) -> dict[tuple[str, str], tuple[str, bytes, str]]:
    """Keys looked up or assigned in the session's current transaction (gone with it)."""
    current = session.get_transaction()
    held = session.info.get(KEYS_IN_TRANSACTION)
    if held is None or held[0] is not current:
        held = (current, {})
        session.info[KEYS_IN_TRANSACTION] = held
    known: dict[tuple[str, str], tuple[str, bytes, str]] = held[1]
    return known


def _municipality_of(session: Session, record_id: str) -> str:
    """A record written before sealing: its municipality, as its earlier events say."""
    log = VIEWS["log"]
    found = session.execute(
        select(log.c.municipality).where(log.c.record_id == record_id).limit(1)
    ).scalar()
    if found is None:
        raise MapperDeserialisationError(f"No municipality known for record {record_id}.")
    return str(found)


def put(state: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = state
    for part in parts[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            return
        inner = dict(inner)  # never change the domain event's own nested dict
        target[part] = inner
        target = inner
    target[parts[-1]] = value


def sealing_mapper(
    base: Mapper[Any], datastore: SQLAlchemyDatastore, store_url: str, var_dir: str | None
) -> Mapper[Any]:
    """The event store's mapper: sealing when a var dir holds the master key, else plain."""
    if not var_dir:
        return base
    return SealingMapper(base, datastore, KeyStore(store_url, Path(var_dir)))
