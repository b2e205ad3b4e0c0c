"""Event state as stored bytes: the library's tagged JSON, read with orjson.

Every store holds the format of the library's `JSONTranscoder`: JSON in which a UUID, date,
instant or decimal is an object `{"_type_": name, "_data_": value}`. Writing stays the
library's, byte for byte. Reading parses with orjson and then revives the tagged objects
bottom-up, as the library's `object_hook` does, without a Python call for every object the
parser meets. A document orjson refuses (`NaN`, an integer past 64 bits, a lone surrogate) is
read by the library's decoder instead.
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
        if type(parsed) is dict or type(parsed) is list:
            return self._value(self._revive(parsed))
        return parsed

    def _revive(self, container: Any) -> Any:
        """The object or list with every tagged object inside it decoded, in place."""
        pairs = container.items() if type(container) is dict else enumerate(container)
        for key, item in pairs:
            if type(item) is dict or type(item) is list:
                container[key] = self._value(self._revive(item))
        return container

    def _value(self, revived: Any) -> Any:
        """A revived object that is a tagged value, decoded; anything else as it is."""
        if type(revived) is dict and len(revived) == 2 and TYPE in revived and DATA in revived:
            transcoding = self.names.get(revived[TYPE])
            if transcoding is None:
                return self._decode_obj(revived)  # refused, as the library refuses it
            return transcoding.decode(revived[DATA])
        return revived
