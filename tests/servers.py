"""Real servers on loopback for the tests that need a socket, always stopped by the test that starts them.

Fixtures in ``tests/conftest.py``: ``serve`` (``with serve(GRADSERVICE_X="1") as server: ...``), ``servers``
(several side by side) and ``gradserve_url`` (one ``gradserve serve`` for the session).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 20.0
SERVICE = (sys.executable, "-m", "service")


def free_port() -> int:
    """A loopback port that is free right now: bind to port 0 and let the kernel choose."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def require_program(name: str) -> str:
    """The path of a system program a test needs: skip without it locally, fail without it in CI (``CI=true``)."""
    path = shutil.which(name) or next((p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}") if Path(p).exists()), None)
    if path is None:
        reason = f"{name} is not installed (apt-get install -y {name}; .ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


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


def wait_until_ready(server: Server, path: str = "/readyz") -> None:
    """Poll ``path`` until it answers 200; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"the server exited with {server.process.returncode}:\n{server.log()}")
            try:
                if client.get(path).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    pytest.fail(f"{path} did not answer within {STARTUP_TIMEOUT} s:\n{server.log()}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s; always reaped."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running(env: dict[str, str] | None = None, command: Sequence[str] = SERVICE) -> Iterator[Server]:
    """Start ``command --host 127.0.0.1 --port PORT`` (default ``python -m service``) with ``env`` added to the
    environment, on a free port; yield it once ready; stop it when the block ends."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [*command, "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, f"http://{HOST}:{port}", port, output)
        try:
            wait_until_ready(server)
            yield server
        finally:
            stop_process(process)


Serve = Callable[..., AbstractContextManager[Server]]
"""The type of the ``serve`` fixture: ``serve(GRADSERVICE_X="1")`` is a :func:`running` server."""


class Servers:
    """``python -m service`` processes side by side, each stopped by :meth:`stop` or at the end."""

    def __init__(self) -> None:
        self.running: dict[str, ExitStack] = {}

    def start(self, count: int = 1) -> list[str]:
        """Start ``count`` servers; return their base URLs once each answers ``/readyz``."""
        urls = []
        for _ in range(count):
            stack = ExitStack()
            server = stack.enter_context(running())
            self.running[server.base_url] = stack
            urls.append(server.base_url)
        return urls

    def stop(self, base_url: str) -> None:
        """Stop one server and wait for it."""
        self.running.pop(base_url).close()

    def stop_all(self) -> None:
        for base_url in list(self.running):
            self.stop(base_url)
