"""Logging: one line per request, as JSON (the default) or as text for a terminal.

:func:`log_request` writes, for every HTTP request, one record on the
``service.access`` logger with its method, path, status, duration and request
id (:class:`service.http.observe.Observe` calls it); never the body, the query
string or the headers. :func:`log_config` is the
``logging.config.dictConfig`` that ``python -m service`` gives uvicorn, whose
own access log stays off so that every request is logged once. When the line would reach only the
service's JSON stdout handler, as it does in a server, the handler writes it straight from its fields, with
the lines of the requests answered in the same few milliseconds.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Scope

from service.http.batch import DELAY, SIZE, Batch
from service.settings import Settings

access_logger = logging.getLogger("service.access")
MAX_LOGGED_PATH = 256
ACCESS_LINE = "%(method)s %(path)s %(status)d %(duration_ms).1f ms id=%(request_id)s"
ACCESS_DELAY, ACCESS_BATCH = DELAY, SIZE
"""Seconds an access line may wait for others, to be written with them, and lines written at once, at most
(:class:`JsonLinesHandler`, :mod:`service.http.batch`)."""


def log_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    """Write the ``service.access`` line of one answered request."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": scope["method"],
        "path": scope["path"][:MAX_LOGGED_PATH],
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": request_id,
    }
    handler = _only_handler()
    if handler is None:
        access_logger.handle(record(fields))
    else:  # the same line without logging's machinery, which costs more than the rest of a request's plumbing
        handler.write_access(fields)


def record(fields: dict[str, Any]) -> logging.LogRecord:
    """The ``service.access`` record of one request, made without looking up the caller's source line.

    ``Logger.info`` walks the stack for the file and line of the call (``findCaller``), which
    costs more than the rest of a log line and is the same for every request.
    """
    return access_logger.makeRecord(
        access_logger.name, logging.INFO, __file__, 0, ACCESS_LINE, (fields,), None, extra={"fields": fields}
    )


_second: tuple[int, str] = (-1, "")
"""The last second formatted by :func:`utc_time`, and its text up to the seconds."""


def utc_time(created: float) -> str:
    """``created`` (seconds since the epoch) as ``datetime.isoformat`` writes it in UTC to the millisecond,
    ``2025-01-01T12:00:00.000+00:00``; the date and time up to the second are formatted once a second."""
    global _second
    fraction, whole = math.modf(created)  # rounded to the microsecond as datetime.fromtimestamp rounds
    second, microseconds = divmod(int(whole) * 1_000_000 + round(fraction * 1e6), 1_000_000)
    cached, text = _second
    if second != cached:
        text = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:-6]
        _second = second, text
    return f"{text}.{microseconds // 1000:03d}+00:00"


def json_line(created: float, level: str, logger: str, message: str, fields: dict[str, Any]) -> str:
    """One JSON log line: ``time``, ``level``, ``logger``, ``message`` and ``fields``."""
    entry: dict[str, Any] = {
        "time": utc_time(created),
        "level": level,
        "logger": logger,
        "message": message,
        **fields,
    }
    return orjson.dumps(entry, default=str).decode()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json_line(record.created, record.levelname.lower(), record.name, record.getMessage(), fields)


class JsonLinesHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stdout handler of the JSON format; it also writes access lines straight from their fields, together.

    An access line written on an event loop waits, with the ones after it, until :data:`ACCESS_DELAY` seconds
    have passed since the first, :data:`ACCESS_BATCH` lines wait, another record is written (after them), or
    the handler is flushed (by logging at exit, by :func:`flush_logs` at the end of a server's lifespan): a
    :class:`~service.http.batch.Batch`. One write then carries them all: a write to stdout in the middle of
    every request costs it more than the line's own work (``bench/README.md``).
    """

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self.access: Batch[tuple[float, dict[str, Any]]] = Batch(self._write_access_lines)

    def write_access(self, fields: dict[str, Any]) -> None:
        """Write the ``service.access`` line of ``fields`` soon, as :meth:`emit` would write its record's."""
        self.access.add((time.time(), fields))

    def emit(self, record: logging.LogRecord) -> None:
        self.access.flush()  # the access lines written before this record come before it
        super().emit(record)

    def flush(self) -> None:
        """Write the waiting access lines, then flush the stream."""
        self.access.flush()
        super().flush()

    def _write_access_lines(self, pending: list[tuple[float, dict[str, Any]]]) -> None:
        with self.lock:  # type: ignore[union-attr]
            try:
                lines = (_access_line(created, fields) + self.terminator for created, fields in pending)
                self.stream.write("".join(lines))
                self.stream.flush()
            except Exception:
                self.handleError(record(pending[-1][1]))


def _access_line(created: float, fields: dict[str, Any]) -> str:
    return json_line(created, "info", access_logger.name, ACCESS_LINE % fields, fields)


def flush_logs() -> None:
    """Write the lines that wait in the service's handlers (:class:`JsonLinesHandler`)."""
    for handler in access_logger.parent.handlers if access_logger.parent is not None else ():
        handler.flush()


def _only_handler() -> JsonLinesHandler | None:
    """The handler of the service's JSON stdout when it is the only one a ``service.access`` record would reach,
    unfiltered; else ``None`` (as in tests, where logging is not configured)."""
    parent = access_logger.parent
    if access_logger.handlers or access_logger.filters or not access_logger.propagate or parent is None:
        return None
    if parent.propagate or parent.filters or len(parent.handlers) != 1:
        return None
    handler = parent.handlers[0]
    if type(handler) is not JsonLinesHandler or handler.filters or handler.level > logging.INFO:
        return None
    return handler


HANDLERS = {"json": f"{__name__}.JsonLinesHandler", "text": "logging.StreamHandler"}


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
            "stdout": {
                "class": HANDLERS[settings.log_format],
                "formatter": settings.log_format,
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "service": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
