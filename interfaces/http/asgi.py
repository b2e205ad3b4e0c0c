"""The ASGI entry point for uvicorn workers: each worker builds its app from the environment."""

from fastapi import FastAPI

from infrastructure.logging import configure_logging
from infrastructure.settings import get_settings
from interfaces.http.app import create_app


def create() -> FastAPI:
    configure_logging(get_settings())  # worker processes do not inherit the CLI's configuration
    return create_app()
