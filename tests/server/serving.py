"""A real ``python -m service`` process on a free loopback port, always stopped by the test that starts it.

Tests use the ``serve`` fixture of ``conftest.py``: ``with serve(GRADSERVICE_X="1") as server: ...``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    """A running server: its process, its base URL and its combined stdout and stderr."""

    process: subprocess.Popen[bytes]
    base_url: str
    port: int
    output: IO[bytes]

    def log(self) -> str:
        """Everything the server has written so far."""
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def rss_bytes(self) -> int:
        """The resident set size of the server process, from /proc/PID/status (VmRSS, in kB)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024


def free_port() -> int:
    """A port that is free right now: bind to port 0 and let the kernel choose."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(server: Server) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"the server exited with {server.process.returncode}:\n{server.log()}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    pytest.fail(f"/healthz did not answer within {STARTUP_TIMEOUT} s:\n{server.log()}")


@contextmanager
def running(env: dict[str, str]) -> Iterator[Server]:
    """Start ``python -m service`` with ``GRADSERVICE_*`` settings in ``env``; stop it (SIGTERM, then SIGKILL)."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, f"http://{HOST}:{port}", port, output)
        try:
            wait_until_healthy(server)
            yield server
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


Serve = Callable[..., AbstractContextManager[Server]]
"""The type of the ``serve`` fixture."""
