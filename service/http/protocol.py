"""The HTTP/1.1 protocol of a server process: uvicorn's httptools protocol with a bound on header bytes and time.

**Bytes.** httptools buffers a request's headers without a limit, so a client could make a worker hold a header
of any size (64 MiB, say) before the app sees the request. :class:`BoundedHeaders` refuses a request line and
headers of more than ``max_header_bytes`` with a ``431`` problem and closes the connection, however the bytes
arrive: while the headers are incomplete it counts the bytes received (the count may include the end of a
previous pipelined request that shares a read with them, so the limit, 64 KiB by default, is far above any
header a client needs), and once they are complete, in the same read or not, it counts the bytes of the request
line and of every header, before uvicorn starts the request.

**Time.** A connection must complete its request's headers within ``header_timeout`` seconds of connecting, or
of the first byte of a later request on it, else it gets a ``408`` problem and is closed (slowloris: a client
sending one header line every few seconds would otherwise hold its connection for ever). One timer per event
loop looks at the connections whose headers are incomplete, every :data:`TICK` seconds, as
:mod:`service.http.deadlines` does for bodies; a request whose headers arrive whole enters and leaves that set.
Between requests, uvicorn's keep-alive timeout (5 s) closes an idle connection.

**Bodies.** The protocol appends a request's body to a buffer that the app empties with each ``receive()``; past
64 KiB (uvicorn's ``HIGH_WATER_LIMIT``) it pauses reading the socket until the app asks for more. One read takes
up to 256,000 bytes (uvloop, uvicorn's loop when installed; asyncio's: 262,144), so a connection holds at
most about 320 KB of body that the app has not read: the rest waits in the kernel's socket buffers, and then
in the client, by TCP flow control.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.domain.limits import setting_of
from service.domain.settings import get_settings
from service.http.problems import PROBLEM_JSON

STATUS = 431
logger = logging.getLogger("service.protocol")
TICK = 0.5
"""Seconds between two looks at the connections whose headers are incomplete."""
REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}


def header_problem(limit: int) -> bytes:
    """The whole HTTP response refusing a request whose headers exceed ``limit`` bytes."""
    return _problem(
        STATUS,
        f"The request line and headers exceed {limit} bytes (max_header_bytes, {setting_of('max_header_bytes')}).",
        type_="/problems/limit-exceeded",
        limit={"name": "max_header_bytes", "setting": setting_of("max_header_bytes"), "value": limit},
    )


def header_timeout_problem(seconds: float) -> bytes:
    """The whole HTTP response closing a connection whose headers did not arrive within ``seconds``."""
    return _problem(
        408,
        f"The request headers did not arrive within {seconds:g} s ({setting_of('header_timeout')}); send them again, "
        "at once.",
        type_="/problems/request-timeout",
    )


def _problem(status: int, detail: str, *, type_: str, **extensions: object) -> bytes:
    body = orjson.dumps({"type": type_, "title": REASONS[status], "status": status, "detail": detail, **extensions})
    head = (
        f"HTTP/1.1 {status} {REASONS[status]}\r\ncontent-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _RefusedError(Exception):
    """Raised in a parser callback to stop parsing a refused request."""


class HeaderWatch:
    """The connections of one event loop whose headers are incomplete, looked at every :data:`TICK` seconds."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: dict[BoundedHeaders, float] = {}
        self.checking = False

    def add(self, protocol: BoundedHeaders) -> None:
        """Watch ``protocol`` from now on, unless it is already watched (the deadline counts from the first)."""
        if protocol not in self.waiting:
            self.waiting[protocol] = self.loop.time()
            if not self.checking:
                self.checking = True
                self.loop.call_later(TICK, self.check)

    def check(self) -> None:
        now = self.loop.time()
        late = [protocol for protocol, since in self.waiting.items() if now - since >= protocol.header_timeout]
        for protocol in late:
            self.waiting.pop(protocol, None)
            protocol.refuse(header_timeout_problem(protocol.header_timeout))
        self.checking = bool(self.waiting)
        if self.checking:
            self.loop.call_later(TICK, self.check)


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HeaderWatch] = weakref.WeakKeyDictionary()


class BoundedHeaders(HttpToolsProtocol):
    """uvicorn's httptools protocol: headers over ``max_header_bytes`` get a 431 problem, headers slower than
    ``header_timeout`` a 408 problem; either way the connection closes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        settings = get_settings()
        self.max_header_bytes, self.header_timeout = settings.max_header_bytes, settings.header_timeout
        self.in_headers = False
        self.header_bytes = 0
        """Bytes received while this request's headers were incomplete."""
        self.parsed_bytes = 0
        """Bytes of this request's line and headers, as parsed."""
        self.refused = False
        watch = _watches.get(self.loop)
        self.watch = watch if watch is not None else _watches.setdefault(self.loop, HeaderWatch(self.loop))

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.watch.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.watch.waiting.pop(self, None)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_headers, self.header_bytes, self.parsed_bytes = True, 0, 0
        self.watch.add(self)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self.parsed_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self.parsed_bytes += len(name) + len(value) + 4  # ": " and CRLF

    def on_headers_complete(self) -> None:
        self.in_headers = False
        self.watch.waiting.pop(self, None)
        # the request line's method, spaces and version ("GET " + url + " HTTP/1.1\r\n"), and the empty line
        self.parsed_bytes += len(self.parser.get_method()) + 14
        if self.parsed_bytes > self.max_header_bytes:
            self.refuse(header_problem(self.max_header_bytes))
            raise _RefusedError  # stops the parser: uvicorn never sees the request
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        super().data_received(data)
        if self.in_headers and not self.transport.is_closing():
            self.header_bytes += len(data)
            if self.header_bytes > self.max_header_bytes:
                self.refuse(header_problem(self.max_header_bytes))

    def send_400_response(self, msg: str) -> None:
        if not self.refused:  # a refusal stops the parser with an error: the answer is already written
            super().send_400_response(msg)

    def refuse(self, answer: bytes) -> None:
        """Write ``answer`` and close the connection, once."""
        if self.refused or self.transport.is_closing():
            return
        self.refused = True
        logger.info("refused %s: %s", self.client, answer.split(b"\r\n", 1)[0].decode("ascii"))
        self.transport.write(answer)
        self.transport.close()
