"""A bounded loopback load test: thousands of mixed requests from dozens of clients against a real server.

Every answer must match its request (the output is recomputed here from the inputs sent, and the
X-Request-ID comes back), no answer may be a 5xx, the server's memory must stay flat, and its log
must hold exactly one JSON line per request. The run is bounded in requests and in time.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import anyio
import httpx
import numpy as np
from servers import Serve, Server
from waiting import until_sync

CLIENTS = 32
REQUESTS = 3000
WARM_UP = 200
TIME_LIMIT = 120.0
MiB = 1024 * 1024

W1 = np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]])
W2 = np.array([[0.7], [-0.3]])
NETWORK = {"layers": [{"weights": W1.tolist(), "activation": "tanh"}, {"weights": W2.tolist()}]}


def inputs_of(i: int) -> np.ndarray:
    """Distinct inputs for every request: X is (1 + i % 4) × 3."""
    m = 1 + i % 4
    return np.array([[i / 997, -(i % 13) / 5, (j + 1) * 0.25] for j in range(m)])


def expected_output(X: np.ndarray) -> np.ndarray:
    """ŷ = σ(tanh(X · W_1) · W_2)."""
    return 1 / (1 + np.exp(-(np.tanh(X @ W1) @ W2)))


def request_of(i: int) -> tuple[str, dict[str, Any], int]:
    """Request i: its path, its httpx arguments and the status it must get. Half valid, half invalid."""
    X = inputs_of(i)
    kind = i % 6
    headers = {"x-request-id": f"load-{i}"}
    valid = {"network": NETWORK, "inputs": X.tolist(), "targets": [[0.5]] * len(X)}
    if kind == 0:
        return "/v1/forward", {"json": valid, "headers": headers}, 200
    if kind == 1:
        return "/v1/gradients", {"json": valid, "headers": headers}, 200
    if kind == 2:
        return "/v1/loss", {"json": valid, "headers": headers}, 200
    if kind == 3:  # Y has one row too many
        return "/v1/gradients", {"json": {**valid, "targets": [[0.5]] * (len(X) + 1)}, "headers": headers}, 422
    if kind == 4:  # cut in the middle
        return "/v1/gradients", {"content": json.dumps(valid)[:-7], "headers": headers}, 400
    return "/v1/forward", {"json": {**valid, "inputs": [["x"] * 3]}, "headers": headers}, 422


def check_answer(i: int, response: httpx.Response, status: int) -> None:
    assert response.status_code == status, (i, response.status_code, response.text[:500])
    assert response.headers["x-request-id"] == f"load-{i}"
    data = response.json()
    if status == 200:
        np.testing.assert_allclose(data["output"], expected_output(inputs_of(i)), rtol=1e-12)
    elif status == 422:
        pointer = "/targets" if i % 6 == 3 else "/inputs/0/0"
        assert pointer in [error["pointer"] for error in data["errors"]], (i, data)


async def run(server: Server, first: int, count: int, statuses: Counter[int], rss: list[int]) -> None:
    """Send requests first … first + count − 1 from CLIENTS clients; sample the server's RSS meanwhile."""
    queue = iter(range(first, first + count))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as http:
            for i in queue:
                path, kwargs, status = request_of(i)
                response = await http.post(path, **kwargs)
                check_answer(i, response, status)
                statuses[response.status_code] += 1

    async def sample() -> None:
        while True:
            rss.append(server.rss_bytes())
            await anyio.sleep(0.05)

    async with anyio.create_task_group() as outer:
        outer.start_soon(sample)
        async with anyio.create_task_group() as clients:
            for _ in range(CLIENTS):
                clients.start_soon(client)
        outer.cancel_scope.cancel()


def settled_log(server: Server, lines: int) -> str:
    """The server's log once it holds ``lines`` access lines of the load: they are written some milliseconds after
    their requests (service.http.batch); :data:`waiting.SAFETY` seconds are a safety net."""
    until_sync(lambda: server.log().count('"request_id":"load-') >= lines, f"{lines} access lines")
    return server.log()


def test_load(serve: Serve) -> None:
    with serve(GRADSERVICE_LOG_FORMAT="json", GRADSERVICE_MAX_CONCURRENCY=str(2 * CLIENTS)) as server:
        statuses: Counter[int] = Counter()
        quarters: list[list[int]] = []

        async def main() -> None:
            with anyio.fail_after(TIME_LIMIT):
                await run(server, -WARM_UP, WARM_UP, Counter(), [])
                size = REQUESTS // 4
                for quarter in range(4):
                    quarters.append([])
                    await run(server, quarter * size, size, statuses, quarters[-1])

        anyio.run(main)
        log = settled_log(server, REQUESTS + WARM_UP)

    assert sum(statuses.values()) == REQUESTS
    assert not [status for status in statuses if status >= 500]
    assert statuses[200] == REQUESTS // 2
    first, last = max(quarters[0]), max(quarters[-1])
    print(f"{REQUESTS} requests, {dict(statuses)}; RSS max first quarter {first / MiB:.1f} MiB, last {last / MiB:.1f}")
    assert last <= 1.2 * first + 8 * MiB, (first, last)

    entries = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is a JSON object
    access = [entry for entry in entries if entry["logger"] == "service.access"]
    ids = Counter(entry["request_id"] for entry in access if entry["request_id"].startswith("load-"))
    assert len(ids) == REQUESTS + WARM_UP
    assert set(ids.values()) == {1}, "a request was logged twice"
    assert not [entry for entry in entries if entry["logger"] == "uvicorn.access"]
    assert not [entry for entry in entries if entry["level"] in ("error", "critical")]
