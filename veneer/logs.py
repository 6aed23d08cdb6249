"""Logs an operator can search: one JSON object a line, each naming the request it is about.

Every HTTP request gets an id (the caller's ``X-Request-Id`` when it is a sane one, else a
new one), answered in the ``X-Request-Id`` header and carried by every line logged while
the request is handled, uvicorn's report of a crash included. `VENEER_LOG_FORMAT=text` keeps
the plain lines a terminal reads better (`veneer demo` uses them unless told otherwise).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["json", "text"]
REQUEST_ID: ContextVar[str | None] = ContextVar("veneer_request_id", default=None)
TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being handled (or None) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        timestamp=False,
    )


def handler(log_format: LogFormat) -> logging.Handler:
    """A stderr handler in ``log_format``, carrying the request id."""
    out = logging.StreamHandler()
    out.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT))
    out.addFilter(RequestIdFilter())
    return out


def configure(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Route Veneer's and uvicorn's loggers through one handler in ``log_format``."""
    root = logging.getLogger()
    root.handlers[:] = [handler(log_format)]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def uvicorn_log_config() -> dict[str, Any]:
    """Tell uvicorn to leave logging as `configure` set it."""
    return {"version": 1, "disable_existing_loggers": False}
