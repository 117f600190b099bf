"""bench/umbridge.py compares like with like: its UM-Bridge Gradient and its /v1/gradients requests compute the same
gradient of the same network; the script's table has its three rows (no timing is asserted)."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import orjson

from bench import umbridge
from service.app import create_app


def test_the_requests_compute_the_same_gradient() -> None:
    requests = umbridge.bodies()

    async def answers() -> list[dict[str, object]]:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            results = []
            for path, body in requests.values():
                answer = await client.post(path, content=body, headers={"content-type": "application/json"})
                assert answer.status_code == 200, answer.text
                results.append(orjson.loads(answer.content))
            return results

    bridge, full, trimmed = asyncio.run(answers())
    for v1 in (full, trimmed):
        expected = np.concatenate([np.ravel(layer["weights_gradient"]) for layer in v1["layers"]])  # type: ignore[index]
        np.testing.assert_allclose(bridge["output"], expected, rtol=1e-12, atol=1e-15)  # type: ignore[index]


def test_the_table_has_a_row_per_request() -> None:
    rows = umbridge.table(asyncio.run(umbridge.measure(rounds=2)))
    assert len(rows) == 2 + 3
    assert rows[2].startswith("| UM-Bridge Gradient (loss model) |")
