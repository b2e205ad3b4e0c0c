"""structlog set-up: console output on a terminal, JSON lines otherwise, always to stderr."""

from __future__ import annotations

import logging
import sys

import orjson
import structlog

from infrastructure.settings import Settings


def configure_logging(settings: Settings) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_orjson_text)
        if settings.renders_json_logs
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def _orjson_text(event: object, **options: object) -> str:
    """structlog's JSON lines through orjson (its advice for production): a line per request
    and per command is written on the hot path."""
    return orjson.dumps(event, **options).decode()  # type: ignore[call-overload,no-any-return]
