"""What the generated OpenAPI schema cannot say by itself, added once where the app builds it.

- every request body: its example (interfaces/http/examples.py), and the 415 answer to a body
  that is not sent as `application/json`;
- every list: the `Link: <...>; rel="next"` header (interfaces/http/paging.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from interfaces.http.examples import example_for
from interfaces.http.problems import responses

JSON = "application/json"
LINK = {
    "Link": {
        "description": 'When there is a next page: `<URL of the next page>; rel="next"` '
        "(RFC 8288), the same path and query with `cursor=<next_cursor>`.",
        "schema": {"type": "string"},
        "required": False,
    }
}


def document(schema: dict[str, Any], routes: Iterable[BaseRoute]) -> None:
    paths = schema.get("paths", {})
    for context in iter_route_contexts(list(routes)):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = paths.get(context.path_format, {}).get(method.lower())
            if operation is not None:
                _document_body(operation, route)
                _document_link(operation, schema)


def _document_body(operation: dict[str, Any], route: APIRoute) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    if JSON not in content or route.body_field is None:
        return
    unsupported = {str(status): entry for status, entry in responses(415).items()}
    operation.setdefault("responses", {}).update(unsupported)
    body = route.body_field.field_info.annotation
    example = example_for(body) if isinstance(body, type) else None
    if example is not None:
        content[JSON]["example"] = example


def _document_link(operation: dict[str, Any], schema: dict[str, Any]) -> None:
    ok = operation.get("responses", {}).get("200", {})
    ref = ok.get("content", {}).get(JSON, {}).get("schema", {}).get("$ref", "")
    page = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    if "next_cursor" in page.get("properties", {}):
        ok.setdefault("headers", {}).update(LINK)
