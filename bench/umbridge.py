"""A UM-Bridge ``Gradient`` against ``/v1/gradients`` on the same network: ``python -m bench.umbridge [ROUNDS]``.

In-process (httpx.ASGITransport, no socket), requests of the three kinds interleaved round by round, the median
time of each: the loss model's Gradient of the ``medium`` workload (64 examples through 32-16-4, θ of 576
numbers; its config the workload's data and its network's shapes, ``{"outputs": n_k}``), ``/v1/gradients`` of
the same network and data with its default answer, and with ``include`` the loss and ∂L/∂W_k only, the closest
to what UM-Bridge answers. The goal: the UM-Bridge Gradient costs at most 1.2× ``/v1/gradients``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

import httpx
import numpy as np
import orjson

from bench.workloads import network_request
from service.app import create_app

GOAL = 1.2
"""The UM-Bridge Gradient's time over ``/v1/gradients``', at most."""


def bodies() -> dict[str, tuple[str, bytes]]:
    """Each kind of request: its path and its body, on the medium workload."""
    medium = network_request(64, [32, 16, 4])
    theta = np.concatenate([np.ravel(layer["weights"]) for layer in medium["network"]["layers"]])
    shapes = [{"outputs": len(layer["weights"][0])} for layer in medium["network"]["layers"]]  # sigmoid, no bias
    gradient: dict[str, Any] = {
        "name": "loss",
        "config": {**medium, "network": {"layers": shapes}},
        "input": [theta.tolist()],
        "outWrt": 0,
        "inWrt": 0,
        "sens": [1.0],
    }
    return {
        "UM-Bridge Gradient (loss model)": ("/umbridge/Gradient", orjson.dumps(gradient)),
        "/v1/gradients (default answer)": ("/v1/gradients", orjson.dumps(medium)),
        "/v1/gradients (include loss, weights_gradient)": (
            "/v1/gradients",
            orjson.dumps({**medium, "include": ["loss", "weights_gradient"]}),
        ),
    }


async def measure(rounds: int = 300) -> dict[str, tuple[float, int, int]]:
    """Each kind's (median seconds, request bytes, answer bytes) over ``rounds`` interleaved rounds."""
    requests = bodies()
    times: dict[str, list[float]] = {name: [] for name in requests}
    sizes: dict[str, int] = {}
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(rounds):
            for name, (path, body) in requests.items():
                start = time.perf_counter()
                answer = await client.post(path, content=body, headers={"content-type": "application/json"})
                times[name].append(time.perf_counter() - start)
                answer.raise_for_status()
                sizes[name] = len(answer.content)
    return {name: (statistics.median(times[name]), len(requests[name][1]), sizes[name]) for name in requests}


def table(results: dict[str, tuple[float, int, int]]) -> list[str]:
    """The Markdown table: each kind's median, its ratio to the UM-Bridge Gradient's reference, and the sizes."""
    umbridge = next(iter(results.values()))[0]
    rows = [
        "| request (medium: m = 64, 32-16-4) | median ms | UM-Bridge / this | body bytes | answer bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (seconds, sent, answered) in results.items():
        rows.append(f"| {name} | {seconds * 1000:.3f} | {umbridge / seconds:.2f} | {sent} | {answered} |")
    return rows


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    print("\n".join(table(asyncio.run(measure(rounds)))))
    print(f"\ngoal: UM-Bridge / /v1/gradients ≤ {GOAL}")
