"""Issue 12's memory goal against a real server with the default settings: 32 concurrent largest-allowed
``/v1/gradients`` keep the server's peak RSS (VmHWM) under the pod's memory limit in deploy/k8s; requests beyond
the memory budget wait, or get 503 with Retry-After."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import numpy as np
import orjson
from servers import Serve

JSON = {"content-type": "application/json"}
POD_LIMIT = 512 * 1024 * 1024
"""resources.limits.memory of deploy/k8s/deployment.yaml (tests/deploy checks the manifest)."""


def largest_gradients() -> bytes:
    """The largest answer /v1/gradients allows: m × Σ n_k = max_activations (10 layers of 100, m = 1000)."""
    rng = np.random.default_rng(3)
    layers = [{"weights": np.round(rng.uniform(-0.1, 0.1, (100, 100)), 2), "activation": "tanh"} for _ in range(10)]
    X, Y = np.round(rng.uniform(-1, 1, (1000, 100)), 2), np.round(rng.uniform(-1, 1, (1000, 100)), 2)
    content = {"network": {"layers": layers}, "inputs": X, "targets": Y}
    return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def status_kib(pid: int, field: str) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith(f"{field}:"))
    return int(line.split()[1])


def test_32_largest_gradients_stay_under_the_pods_memory_limit(serve: Serve) -> None:
    body = largest_gradients()
    with serve() as server:
        pid = server.process.pid
        before = status_kib(pid, "VmHWM")
        answers: list[tuple[int, str | None, str]] = []

        def post() -> None:
            with (
                httpx.Client(base_url=server.base_url, timeout=60) as client,
                client.stream("POST", "/v1/gradients", content=body, headers=JSON) as response,
            ):
                size = sum(len(chunk) for chunk in response.iter_bytes())
                kind = response.headers.get("content-type", "")
                answers.append((response.status_code, response.headers.get("retry-after"), f"{kind} {size}"))

        threads = [threading.Thread(target=post) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        peak = status_kib(pid, "VmHWM") * 1024
    print(f"VmHWM before {before / 1024:.0f} MiB, after 32 largest gradients {peak / 2**20:.0f} MiB; {answers}")
    assert len(answers) == 32
    assert all(status == 200 or (status == 503 and retry is not None) for status, retry, _ in answers), answers
    assert sum(status == 200 for status, _, _ in answers) >= 4, answers
    assert peak < POD_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB, over the pod's {POD_LIMIT / 2**20:.0f} MiB"
