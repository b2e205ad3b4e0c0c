"""The ASGI entry point for uvicorn workers: each worker builds its app from the environment."""

from fastapi import FastAPI

from interfaces.http.app import create_app


def create() -> FastAPI:
    return create_app()
