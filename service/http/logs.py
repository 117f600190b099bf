"""Logging: one line per request, as JSON (the default) or as text for a terminal.

:class:`RequestLog` writes, for every HTTP request, one record on the
``service.access`` logger with its method, path, status, duration and request
id; never the body, the query string or the headers. The request id is the
client's ``X-Request-ID`` when it is a short token, else a new one; the
answer carries it back in ``X-Request-ID``. :func:`log_config` is the
``logging.config.dictConfig`` that ``python -m service`` gives uvicorn, whose
own access log stays off so that every request is logged once.
"""

from __future__ import annotations

import logging
import os
import re
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.settings import Settings

access_logger = logging.getLogger("service.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
"""The request ids taken from a client: short, and safe to write in a log line."""
MAX_LOGGED_PATH = 256


class RequestLog:
    """Log one line per request and answer with its ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = next((value for key, value in scope["headers"] if key == b"x-request-id"), b"").decode("latin-1")
        request_id = given if REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        status = 500  # what the server answers when the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                fields = {
                    "method": scope["method"],
                    "path": scope["path"][:MAX_LOGGED_PATH],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "request_id": request_id,
                }
                access_logger.handle(record(fields))


def record(fields: dict[str, Any]) -> logging.LogRecord:
    """The ``service.access`` record of one request, made without looking up the caller's source line.

    ``Logger.info`` walks the stack for the file and line of the call (``findCaller``), which
    costs more than the rest of a log line and is the same for every request.
    """
    line = "%(method)s %(path)s %(status)d %(duration_ms).1f ms id=%(request_id)s"
    return access_logger.makeRecord(
        access_logger.name, logging.INFO, __file__, 0, line, (fields,), None, extra={"fields": fields}
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def log_config(settings: Settings) -> dict[str, Any]:
    """The ``dictConfig`` of the service's and uvicorn's loggers, in ``settings.log_format``."""
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": settings.log_format, "stream": "ext://sys.stdout"}
        },
        "loggers": {
            "service": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
