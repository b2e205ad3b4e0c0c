"""`/docs`: Swagger UI 5 from the assets packaged in `fastapi-swagger`, never from a CDN.

Municipal networks often cannot reach a CDN, and a blank `/docs` is the first thing a newcomer
meets. Swagger UI 5 renders OpenAPI 3.1, which FastAPI writes. The app is created with
`docs_url=None` and `redoc_url=None` (ReDoc has no packaged assets here, and would be blank
offline), and patched once here. `/` is left alone: it answers 404, as it always has.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi_swagger import patch_fastapi

DOCS_URL = "/docs"
ASSETS = "/docs/assets"

# Swagger UI settings. `validatorUrl: null` keeps it from asking validator.swagger.io for a badge.
SWAGGER_UI: dict[str, Any] = {
    "persistAuthorization": True,
    "filter": True,
    "displayRequestDuration": True,
    "tryItOutEnabled": True,
    "validatorUrl": None,
}


def install_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI and its assets from this process; `/openapi.json` stays where it is."""
    patch_fastapi(
        app,
        docs_url=DOCS_URL,
        redirect_from_root_to_docs=False,
        title="Samverkan – API",  # noqa: RUF001 - an en dash, on purpose
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        swagger_ui_parameters=SWAGGER_UI,
    )
