"""`Link: <...>; rel="next"` (RFC 8288) on every list answer that has a next page.

Every list answers `{"items": [...], "next_cursor": ...}` (schemas.Page), so one ASGI layer
serves them all, including lists added later: on a successful GET whose JSON body ends with a
string `next_cursor`, it adds a link to the same path and query with `cursor=<next_cursor>`.
It reads only the tail of the body, and leaves streamed answers (exports) untouched, so memory
stays flat and the lists pay nothing measurable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.datastructures import URL

Scope = dict[str, Any]
NEXT_CURSOR = b'"next_cursor":'
PATH_SAFE = "/:@!$&'()*+,;=-._~"
_decoder = json.JSONDecoder()


class NextPageLinks:
    """Adds the `Link` header to list answers; passes every other message through."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] | None = None

        async def send_with_link(message: dict[str, Any]) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 200:
                held = message  # wait for the body: a single JSON chunk may name a next page
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                if not message.get("more_body") and _is_json(start):
                    cursor = next_cursor(message.get("body", b""))
                    if cursor is not None:
                        start["headers"] = [*start["headers"], _link(scope, cursor)]
                await send(start)
            await send(message)

        await self.app(scope, receive, send_with_link)


def next_cursor(body: bytes) -> str | None:
    """The top-level `next_cursor` of a page, when the body ends with it as a string.

    A key inside a string value would be escaped (`\\"next_cursor\\":`), and only the last
    top-level member is followed by nothing but the closing brace.
    """
    at = body.rfind(NEXT_CURSOR)
    if at < 0:
        return None
    tail = body[at + len(NEXT_CURSOR) :].decode("utf-8", "replace")
    try:
        value, end = _decoder.raw_decode(tail.lstrip())
    except ValueError:
        return None
    rest = tail.lstrip()[end:].strip()
    return value if isinstance(value, str) and rest == "}" else None


def _is_json(start: dict[str, Any]) -> bool:
    for name, value in start.get("headers", []):
        if name.lower() == b"content-type":
            return bool(value.startswith(b"application/json"))
    return False


def _link(scope: Scope, cursor: str) -> tuple[bytes, bytes]:
    url = URL(scope=scope).include_query_params(cursor=cursor)
    url = url.replace(path=quote(url.path, safe=PATH_SAFE))  # a header holds ASCII only
    return b"link", f'<{url}>; rel="next"'.encode("ascii", "replace")
