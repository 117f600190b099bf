"""Logging: one line per request, as JSON (the default) or as text for a terminal.

:func:`log_request` writes, for every HTTP request, one record on the
``service.access`` logger with its method, path, status, duration and request
id (:class:`service.http.observe.Observe` calls it); never the body, the query
string or the headers. :func:`log_config` is the
``logging.config.dictConfig`` that ``python -m service`` gives uvicorn, whose
own access log stays off so that every request is logged once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Scope

from service.settings import Settings

access_logger = logging.getLogger("service.access")
MAX_LOGGED_PATH = 256


def log_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    """Write the ``service.access`` line of one answered request."""
    if access_logger.isEnabledFor(logging.INFO):
        fields = {
            "method": scope["method"],
            "path": scope["path"][:MAX_LOGGED_PATH],
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
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
