"""Real servers on loopback for the tests that need a socket (browser, nginx); fixture ``servers`` in conftest.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 20.0


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


class Servers:
    """``python -m service`` processes on free loopback ports, started and stopped by the test."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, count: int = 1) -> list[str]:
        """Start ``count`` servers side by side; return their base URLs once each ``/readyz`` answers 200."""
        urls = [self._spawn() for _ in range(count)]
        for base_url in urls:
            self._wait_until_ready(base_url)
        return urls

    def _spawn(self) -> str:
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        with (self.logs / f"server-{port}.log").open("wb") as out:
            self.processes[base_url] = subprocess.Popen(
                [sys.executable, "-m", "service", "--host", HOST, "--port", str(port)],
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return base_url

    def _wait_until_ready(self, base_url: str) -> None:
        process = self.processes[base_url]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(base_url=base_url, timeout=2.0) as client:
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        log = self.logs / f"server-{base_url.rsplit(':', 1)[1]}.log"
        pytest.fail(f"the server on {base_url} did not become ready:\n{log.read_text(errors='replace')}")

    def stop(self, base_url: str) -> None:
        """Terminate one server and wait for it."""
        stop_process(self.processes.pop(base_url))

    def stop_all(self) -> None:
        for base_url in list(self.processes):
            self.stop(base_url)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s; always reaped."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
