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


def test_the_limit_holds_for_headers_sent_whole_in_one_write(serve: Serve) -> None:
    """Issue 26: 65,537, 70 k and 100 k bytes of complete headers, sent in one write, got 200."""
    with serve() as server:
        for size in (65_537, 70_000, 100_000):
            padding = b"a" * (size - 40)
            request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding + b"\r\n\r\n"
            assert len(request) > 65_536
            head, _, body = exchange(server.port, request).partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 431 "), (size, head)
            assert json.loads(body)["limit"]["value"] == 65_536
        with httpx.Client(base_url=server.base_url) as http:
            assert http.get("/healthz", headers={"X-Padding": "a" * 60_000}).status_code == 200


def test_headers_that_do_not_complete_in_time_get_408_and_the_connection_closes(serve: Serve) -> None:
    """Slowloris: connections that send a header line now and then; each gets a 408 problem, then EOF."""
    with serve(GRADSERVICE_HEADER_TIMEOUT="1") as server:
        connections = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(20)]
        try:
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n")
            idle = socket.create_connection(("127.0.0.1", server.port), timeout=30)  # sends nothing at all
            connections.append(idle)
            for connection in connections:
                answer = b""
                while chunk := connection.recv(65536):  # until the server closes (the socket timeout: a safety net)
                    answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 408 "), head
                assert b"connection: close" in head.lower()
                assert json.loads(body)["type"] == "/problems/request-timeout"
        finally:
            for connection in connections:
                connection.close()
        with httpx.Client(base_url=server.base_url) as http:
            assert http.get("/healthz").status_code == 200
