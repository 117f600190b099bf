"""The HTTP/1.1 protocol of a server process: uvicorn's httptools protocol with a bound on header bytes.

httptools buffers a request's headers without a limit, so a client could make a worker hold a header
of any size (64 MiB, say) before the app sees the request. :class:`BoundedHeaders` counts the bytes
received while a request's headers are incomplete and, beyond ``max_header_bytes``, answers a
``431`` problem and closes the connection. Requests whose headers arrive whole, nearly all of them,
cost one attribute check. The count may include the end of a previous pipelined request that shares
a read with the headers, so the limit (64 KiB by default) is far above any header a client needs.
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.domain.limits import setting_of
from service.domain.settings import get_settings
from service.http.problems import PROBLEM_JSON

STATUS = 431


def header_problem(limit: int) -> bytes:
    """The whole HTTP response refusing a request whose headers exceed ``limit`` bytes."""
    body = orjson.dumps(
        {
            "type": "/problems/limit-exceeded",
            "title": "Request Header Fields Too Large",
            "status": STATUS,
            "detail": f"The request line and headers exceed {limit} bytes (max_header_bytes, "
            f"{setting_of('max_header_bytes')}).",
            "limit": {"name": "max_header_bytes", "setting": setting_of("max_header_bytes"), "value": limit},
        }
    )
    head = (
        f"HTTP/1.1 {STATUS} Request Header Fields Too Large\r\ncontent-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHeaders(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing headers of more than ``max_header_bytes`` with a 431 problem."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.max_header_bytes = get_settings().max_header_bytes
        self.in_headers = False
        self.header_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_headers, self.header_bytes = True, 0

    def on_headers_complete(self) -> None:
        self.in_headers = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.in_headers and not self.transport.is_closing():
            self.header_bytes += len(data)
            if self.header_bytes > self.max_header_bytes:
                self.transport.write(header_problem(self.max_header_bytes))
                self.transport.close()
