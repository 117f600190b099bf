"""Shared fixtures."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Run ``pytest.mark.anyio`` tests on asyncio only."""
    return "asyncio"


# Real servers on loopback, for the tests that need a socket (browser, nginx).

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


@pytest.fixture
def program() -> Callable[[str], str]:
    """``program("nginx")``: the path of a system program; skips without it locally, fails in CI."""
    return require_program


@pytest.fixture
def unused_port() -> Callable[[], int]:
    """``unused_port()``: a loopback port that is free right now."""
    return free_port


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Start ``python -m service`` on free loopback ports, one per call; every one is stopped at teardown."""
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "service", "--host", HOST, "--port", str(port)],
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(base_url=base_url, timeout=2.0) as client:
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if client.get("/readyz").status_code == 200:
                        return base_url
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        pytest.fail(f"the server on {base_url} did not become ready:\n{log.read_text(errors='replace')}")

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
