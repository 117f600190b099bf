"""Logging: one line per request, as JSON (the default) or as text for a terminal.

:func:`log_requests` writes, for every HTTP request, one record on the
``service.access`` logger with its method, path, status, duration and request
id; never the body, the query string or the headers. :class:`service.http.observe.Observe` calls it with the
requests answered within a moment (:mod:`service.http.batch`). :func:`log_config` is the
``logging.config.dictConfig`` that ``python -m service`` gives uvicorn, whose
own access log stays off so that every request is logged once. When the lines would reach only the
service's JSON stdout handler, as they do in a server, the handler writes them straight from their fields, in
one write.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from service.domain.settings import Settings
from service.http.batch import flush_batches
from service.http.records import Answered

access_logger = logging.getLogger("service.access")
MAX_LOGGED_PATH = 256
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_LINE = "%(method)s %(path)s %(status)d %(duration_ms).1f ms id=%(request_id)s"


def log_requests(answered: Sequence[Answered]) -> None:
    """Write the ``service.access`` lines of answered requests."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    lines = [(request.ended, access_fields(request)) for request in answered]
    handler = _only_handler()
    if handler is None:
        for ended, fields in lines:
            access_logger.handle(record(fields, ended))
    else:  # the same lines without logging's machinery, which costs more than the rest of a request's plumbing
        handler.write_access(lines)


CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029]")
"""What :func:`escaped` writes as ``\\xNN`` (``\\uNNNN``): C0 and C1 control characters, DEL, the Unicode line and
paragraph separators, and the backslash itself."""

ONLY_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""The same, backslash left as it is: for a whole message, whose fields are escaped already."""


def escaped(text: str, controls: re.Pattern[str] = CONTROLS) -> str:
    """``text`` with every control character (and backslash) written ``\\xNN``: a client's path can then neither
    start a forged log line (``%0a``) nor reach a terminal (``%1b``), and an escape in the log is never ambiguous."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return controls.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def access_fields(request: Answered) -> dict[str, Any]:
    """The fields of the access line of ``request``; the client's path and method :func:`escaped`."""
    return {
        "method": escaped(request.method),
        "path": escaped(request.path),
        "status": request.status,
        "duration_ms": round(request.seconds * 1000, 3),
        "request_id": request.request_id,
    }


def record(fields: dict[str, Any], created: float | None = None) -> logging.LogRecord:
    """The ``service.access`` record of one request, made without looking up the caller's source line, at
    ``created`` (seconds since the epoch; now by default).

    ``Logger.info`` walks the stack for the file and line of the call (``findCaller``), which
    costs more than the rest of a log line and is the same for every request.
    """
    entry = access_logger.makeRecord(
        access_logger.name, logging.INFO, __file__, 0, ACCESS_LINE, (fields,), None, extra={"fields": fields}
    )
    if created is not None:
        entry.created, entry.msecs = created, math.modf(created)[0] * 1000 // 1
    return entry


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


class TextFormatter(logging.Formatter):
    """The text format: each record's message :func:`escaped` (its control characters), so that a message is one
    line whatever it quotes (a traceback, added after the message, keeps its lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = escaped(record.message, ONLY_CONTROLS)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = dict(getattr(record, "fields", {}))
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json_line(record.created, record.levelname.lower(), record.name, record.getMessage(), fields)


class JsonLinesHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stdout handler of the JSON format; it also writes access lines straight from their fields.

    The access lines of the requests answered within a moment come in one call of :meth:`write_access`, and
    go out in one write (``bench/README.md``). Before any other record, and when flushed (by logging at exit, by
    :func:`flush_logs` at the end of a server's lifespan), the handler has the lines that wait in the
    service's batches written first (:func:`service.http.batch.flush_batches`), so the order is kept.
    """

    def write_access(self, lines: Sequence[tuple[float, dict[str, Any]]]) -> None:
        """Write the ``service.access`` lines of ``lines`` (when each was created, its fields), as :meth:`emit`
        would write their records', in one write."""
        with self.lock:  # type: ignore[union-attr]
            try:
                self.stream.write("".join(_access_line(when, fields) + self.terminator for when, fields in lines))
                self.stream.flush()
            except Exception:
                self.handleError(record(lines[-1][1]))

    def emit(self, record: logging.LogRecord) -> None:
        flush_batches()  # the access lines of the requests answered before this record come before it
        super().emit(record)

    def flush(self) -> None:
        """Write the access lines that wait, then flush the stream."""
        flush_batches()
        super().flush()


def _access_line(created: float, fields: dict[str, Any]) -> str:
    return json_line(created, "info", access_logger.name, ACCESS_LINE % fields, fields)


def flush_logs() -> None:
    """Handle what waits in every batch (:func:`service.http.batch.flush_batches`: the access lines, and the
    metrics recorded with them), then flush the service's handlers."""
    flush_batches()
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
            "text": {"()": TextFormatter, "format": TEXT_FORMAT},
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
