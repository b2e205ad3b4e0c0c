"""Event state as stored bytes: the library's tagged JSON, read with orjson.

Every store holds the format of the library's `JSONTranscoder`: JSON in which a UUID, date,
instant or decimal is an object `{"_type_": name, "_data_": value}`. Writing stays the
library's, byte for byte. Reading parses with orjson and then revives the tagged objects
bottom-up, as the library's `object_hook` does, at about two thirds of the cost. A document
orjson refuses (`NaN`, an integer past 64 bits) is read by the library's decoder instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding

TYPE, DATA = "_type_", "_data_"


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class TaggedJSONTranscoder(JSONTranscoder):
    """The library's transcoder, with orjson parsing on the way out of the store."""

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        return self._revive(parsed)

    def _revive(self, value: Any) -> Any:
        if type(value) is list:
            return [self._revive(item) for item in value]
        if type(value) is not dict:
            return value
        for key, item in value.items():
            if type(item) is dict or type(item) is list:
                value[key] = self._revive(item)
        if len(value) == 2 and TYPE in value and DATA in value:
            transcoding = self.names.get(value[TYPE])
            return (
                self._decode_obj(value) if transcoding is None else transcoding.decode(value[DATA])
            )
        return value
