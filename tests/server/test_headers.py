"""Over a real socket, request headers over GRADSERVICE_MAX_HEADER_BYTES get a 431 problem and the connection closes."""

from __future__ import annotations

import json
import socket

import httpx
from servers import Serve

LIMIT = 16_384


def exchange(port: int, request: bytes) -> bytes:
    """Send ``request``, headers that never end, and read the answer until the server closes.

    The server reads it whole before it answers (one read), so that closing leaves no unread bytes, which
    would make the kernel reset the connection before the answer is read.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def test_headers_over_the_limit_get_431_and_normal_ones_pass(serve: Serve) -> None:
    with serve(GRADSERVICE_MAX_HEADER_BYTES=str(LIMIT)) as server:
        huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * (LIMIT + 1024)  # never ends
        answer = exchange(server.port, huge)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 431 ")
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["limit"]["name"] == "max_header_bytes"
        rss_after_refusal = server.rss_bytes()
        with httpx.Client(base_url=server.base_url) as http:
            padding = "a" * (LIMIT // 2)
            assert http.get("/healthz", headers={"X-Padding": padding}).status_code == 200
        assert server.rss_bytes() < rss_after_refusal + 32 * 1024 * 1024
