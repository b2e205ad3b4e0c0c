"""The store's transcoder reads every document exactly as the library's own transcoder does."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.store.transcoding import DateAsISO, TaggedJSONTranscoder


def registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


LIBRARY, OURS = registered(JSONTranscoder()), registered(TaggedJSONTranscoder())

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text()
    | st.uuids()
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: Decimal(str(d)))
)
states = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=12), states, max_size=6))
def test_any_state_the_library_writes_reads_back_the_same(state: dict[str, Any]) -> None:
    stored = LIBRARY.encode(state)
    assert OURS.decode(stored) == LIBRARY.decode(stored)


def test_tagged_values_come_back_as_their_types_nested_in_lists_and_objects() -> None:
    state = {
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "on": [date(2025, 3, 4), {"at": datetime(2025, 3, 4, 10, 0, tzinfo=UTC)}],
        "sum": Decimal("12.50"),
    }
    assert OURS.decode(LIBRARY.encode(state)) == state


def test_an_object_with_a_tag_and_more_keys_is_a_plain_object() -> None:
    stored = b'{"x":{"_type_":"uuid_hex","_data_":"00","other":1}}'
    assert OURS.decode(stored) == {"x": {"_type_": "uuid_hex", "_data_": "00", "other": 1}}


def test_an_unknown_tag_is_refused_as_the_library_refuses_it() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        OURS.decode(b'{"x":{"_type_":"pickle","_data_":"gASV"}}')


def test_documents_orjson_refuses_are_read_by_the_library_decoder() -> None:
    stored = b'{"n":NaN,"big":123456789012345678901234567890}'
    decoded = OURS.decode(stored)
    assert math.isnan(decoded["n"])
    assert decoded["big"] == 123456789012345678901234567890
