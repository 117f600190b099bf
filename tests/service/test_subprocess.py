"""``python -m service`` serves the API over a real loopback socket."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from service.schemas.examples import SEED_TWO_LAYER

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port that is free right now: bind to port 0 and let the kernel choose."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server() -> Iterator[str]:
    """Start ``python -m service`` on a free loopback port; always terminate it and wait for it."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(process, base_url, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log: IO[bytes]) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read().decode(errors='replace')}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"/healthz did not answer within {STARTUP_TIMEOUT} s:\n{log.read().decode(errors='replace')}")


def sigmoid(u: float) -> float:
    return 1.0 / (1.0 + math.exp(-u))


def test_python_m_service_serves_the_docs_example(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10.0) as client:
        health = client.get("/healthz")
        assert health.json() == {"status": "ok"}
        response = client.post("/v1/gradients", json=SEED_TWO_LAYER)
    assert response.status_code == 200, response.text
    data = response.json()
    # The seed's case 5 by hand: l_1 = σ(x · W_1), ŷ = σ(l_1 · W_2), L = ½ (y − ŷ)².
    x = SEED_TWO_LAYER["inputs"]
    W1, W2 = (layer["weights"] for layer in SEED_TWO_LAYER["network"]["layers"])
    l1 = [sigmoid(sum(x[i] * W1[i][j] for i in range(3))) for j in range(2)]
    y_hat = sigmoid(l1[0] * W2[0][0] + l1[1] * W2[1][0])
    assert len(data["output"]) == 1
    assert data["output"][0] == [pytest.approx(y_hat, rel=1e-12)]
    assert data["loss"] == pytest.approx(0.5 * (SEED_TWO_LAYER["targets"] - y_hat) ** 2, rel=1e-12)
