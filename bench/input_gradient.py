"""What ∂L/∂X (``input_gradient``) costs a ``/v1/gradients`` answer: ``python -m bench.input_gradient``.

In-process (httpx.ASGITransport, no socket), the median time of repeated requests and the answer's
size, with and without ``input_gradient`` in ``include``. The reason the service sends it only when
``include`` names it: it is m × n_0 numbers, as many as X.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
import orjson

from bench.workloads import network_request
from service.app import create_app

CASES = (("medium", 64, [32, 16, 4], 200), ("large", 2048, [128, 64, 10], 20))
INCLUDES = (["loss", "weights_gradient"], ["loss", "weights_gradient", "input_gradient"])


async def measure() -> list[str]:
    rows = ["| workload | include | median ms | answer bytes |", "|---|---|---:|---:|"]
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for name, m, sizes, repeats in CASES:
            request = network_request(m, sizes)
            for include in INCLUDES:
                body = orjson.dumps({**request, "include": include})
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    answer = await client.post(
                        "/v1/gradients", content=body, headers={"content-type": "application/json"}
                    )
                    times.append(time.perf_counter() - start)
                    answer.raise_for_status()
                shape = f"m = {m}, {'-'.join(map(str, sizes))}"
                milliseconds = statistics.median(times) * 1000
                rows.append(f"| {name} ({shape}) | {', '.join(include)} | {milliseconds:.2f} | {len(answer.content)} |")
    return rows


if __name__ == "__main__":
    print("\n".join(asyncio.run(measure())))
