"""Over a real socket: a client that goes away mid-body is logged at info level as a disconnect, without a
traceback, and counted with status 499, never as a 5xx; the text log escapes a path's control characters."""

from __future__ import annotations

import socket
import time

import httpx
from servers import Serve, Server

SAFETY = 30.0
"""Seconds after which a wait for an event the server must show fails: a safety net, never a synchronisation."""


def wait_for(server: Server, text: str) -> str:
    """The server's log once it contains ``text``; fail after :data:`SAFETY` seconds."""
    deadline = time.monotonic() + SAFETY
    while text not in (log := server.log()):
        assert time.monotonic() < deadline, f"{text!r} never appeared in the log:\n{log}"
        time.sleep(0.05)  # polling an event, not waiting for one
    return log


def test_an_aborted_upload_is_a_499_at_info_level_never_a_500(serve: Serve) -> None:
    with serve() as server:
        head = (
            b"POST /v1/gradients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\nX-Request-ID: aborted-upload\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(head + b'{"network": {"layers": [[[1' + b"0" * 242)
        log = wait_for(server, "aborted-upload")
        with httpx.Client(base_url=server.base_url) as http:
            metrics = http.get("/metrics").text
    lines = [line for line in log.splitlines() if "aborted-upload" in line or "disconnect" in line]
    assert any('"status":499' in line for line in lines), lines
    assert any("client disconnected" in line and '"level":"info"' in line for line in log.splitlines()), log
    assert "Traceback" not in log, log
    assert '"level":"error"' not in log, log
    assert 'status="499"' in metrics
    assert 'status="500"' not in metrics


def test_the_text_log_escapes_control_characters_of_a_path(serve: Serve) -> None:
    forged = "/x%0a2026-12-05%2006:31:09,000%20INFO%20service.access:%20POST%20/v1/gradients%20200%1b[2K"
    with serve(GRADSERVICE_LOG_FORMAT="text") as server:
        with httpx.Client(base_url=server.base_url) as http:
            assert http.get(forged, headers={"x-request-id": "forger"}).status_code == 404
        log = wait_for(server, "id=forger")
    assert "\x1b" not in log
    assert not any(line.startswith("2026-12-05 06:31:09,000") for line in log.splitlines()), log
    line = next(line for line in log.splitlines() if "id=forger" in line)
    assert "/x\\x0a2026-12-05 06:31:09,000 INFO service.access: POST /v1/gradients 200\\x1b[2K 404" in line
