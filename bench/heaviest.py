"""The heaviest valid request of each endpoint under the default settings, and how long it really takes.

For every endpoint (forward, loss, gradients, hessian-vector, train, check, verify, derivation as JSON and as
Markdown) a grid over L, the widths n_k (all equal) and the steps of training is searched; for each point, the
largest batch m that the limits admit (sizes, activations, work, the endpoint's own budgets, ``max_request_work`` on
:func:`service.domain.limits.cost`, the memory of :mod:`service.http.compute`). The heaviest point of each L is then
sent, in process, to the app (so every real limit decides: a refused one is replaced by the next heaviest) with
one BLAS thread, and timed.

    python -m bench.heaviest            # the default settings; writes bench/heaviest-results.md
    python -m bench.heaviest --quick    # tiny budgets, for the smoke test: no file written

Goal (issue 12): no valid request on any endpoint runs longer than 10 s on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
from threadpoolctl import threadpool_limits

from gradcore import Layer
from service.app import create_app
from service.domain import limits
from service.domain.settings import Settings
from service.http.compute import READING_SHARE

GOAL_SECONDS = 10.0
RESULTS = Path(__file__).with_name("heaviest-results.md")
ENDPOINTS = {
    "forward": "/v1/forward",
    "loss": "/v1/loss",
    "gradients": "/v1/gradients",
    "hessian_vector": "/v1/gradients/hessian-vector",
    "train": "/v1/train",
    "check": "/v1/gradients/check",
    "verify": "/v1/gradients/verify",
    "derivation": "/v1/derivation",
    "derivation (Markdown)": "/v1/derivation",
}
DEPTHS = (1, 10, 100)
WIDTHS = (1, 2, 4, 8, 16, 32, 100, 300, 1000, 3000, 10_000)
STEPS = (1, 10, 100, 1000, 10_000)
BODY_BYTES_PER_NUMBER = 6
"""A body's bytes per number: numbers rounded to two decimals, ``-0.12,``."""


@dataclass(frozen=True)
class Shape:
    L: int
    width: int
    m: int
    steps: int = 1

    def __str__(self) -> str:
        text = f"L = {self.L}, n = {self.width}, m = {self.m}"
        return text + (f", steps = {self.steps}" if self.steps > 1 else "")


@dataclass(frozen=True)
class Row:
    endpoint: str
    shape: Shape
    work: int
    seconds: float


def fake_layers(shape: Shape) -> list[Layer]:
    """Layers of the right shapes that hold no memory (for counting only)."""
    zero = np.float64(0.0)
    return [
        Layer(np.broadcast_to(zero, (shape.width, shape.width)), "tanh", np.broadcast_to(zero, (shape.width,)))
        for _ in range(shape.L)
    ]


def kind(endpoint: str) -> str:
    return endpoint.split(" ")[0]


def estimate(endpoint: str, shape: Shape) -> limits.Cost:
    markdown = endpoint.endswith("(Markdown)")
    return limits.cost(kind(endpoint), fake_layers(shape), shape.m, steps=shape.steps, markdown=markdown)


def admitted(endpoint: str, shape: Shape, settings: Settings) -> bool:
    """Whether the limits admit ``shape`` on ``endpoint``, counted from the shapes alone (the app decides last)."""
    L, n, m, name = shape.L, shape.width, shape.m, kind(endpoint)
    P = L * (n * n + n)
    numbers = P + 2 * m * n + (P if name in ("verify", "hessian_vector") else 0)
    activations, macs = m * L * n, m * L * n * n
    body = BODY_BYTES_PER_NUMBER * numbers
    checks = [
        numbers <= settings.max_numbers,
        settings.max_layers >= L and n <= settings.max_width and m <= settings.max_batch,
        activations <= settings.max_activations and macs <= settings.max_work,
        body <= settings.max_body_bytes,
        limits.body_cost(body).bytes <= settings.max_inflight_bytes // READING_SHARE,
    ]
    if name == "train":
        checks += [shape.steps <= settings.max_train_steps, shape.steps * P * m <= settings.max_train_work]
    if name == "check":
        work = limits.check_work(fake_layers(shape), m)
        checks += [settings.max_check_parameters >= P, work <= settings.max_check_work]
    if not all(checks):
        return False
    cost = estimate(endpoint, shape)
    working = settings.max_inflight_bytes - settings.max_inflight_bytes // READING_SHARE
    return cost.work <= settings.max_request_work and cost.bytes <= working


def largest_batch(endpoint: str, L: int, width: int, steps: int, settings: Settings) -> Shape | None:
    """The shape with the largest m admitted (admission falls as m grows), or None."""
    low, high = 0, settings.max_batch
    while low < high:
        middle = (low + high + 1) // 2
        if admitted(endpoint, Shape(L, width, middle, steps), settings):
            low = middle
        else:
            high = middle - 1
    return Shape(L, width, low, steps) if low else None


def candidates(endpoint: str, L: int, settings: Settings) -> list[Shape]:
    """The admitted shapes of depth L, heaviest estimated work first."""
    shapes = [
        shape
        for width in WIDTHS
        for steps in (STEPS if endpoint == "train" else (1,))
        if (shape := largest_batch(endpoint, L, width, steps, settings)) is not None
    ]
    return sorted(shapes, key=lambda shape: estimate(endpoint, shape).work, reverse=True)


def body(endpoint: str, shape: Shape, rng: np.random.Generator) -> bytes:
    """A valid request of ``shape``: tanh layers with biases, numbers rounded to two decimals."""
    n, m = shape.width, shape.m
    scale = 1.0 / np.sqrt(n)

    def numbers(*size: int) -> Any:
        return np.round(rng.uniform(-scale, scale, size), 2)

    layers = [{"weights": numbers(n, n), "bias": numbers(n), "activation": "tanh"} for _ in range(shape.L)]
    content: dict[str, Any] = {"network": {"layers": layers}, "inputs": numbers(m, n), "targets": numbers(m, n)}
    if kind(endpoint) == "train":
        content |= {"steps": shape.steps, "learning_rate": 0.1}
    if kind(endpoint) == "verify":
        content["claimed_gradients"] = [numbers(n, n) for _ in range(shape.L)]
    if kind(endpoint) == "hessian_vector":
        content["vector"] = [{"weights": numbers(n, n), "bias": numbers(n)} for _ in range(shape.L)]
    return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""``wall``: elapsed seconds; ``cpu``: the CPU seconds of this process, what its one core spends whatever else
the machine runs (on a machine loaded by other work, elapsed time includes waiting for the core)."""
clock = CLOCKS["wall"]


async def send(client: httpx.AsyncClient, endpoint: str, shape: Shape, rng: np.random.Generator) -> float | None:
    """Seconds the app took to answer ``shape`` on ``endpoint``, or None when it refused it."""
    content = body(endpoint, shape, rng)
    accept = "text/markdown" if endpoint.endswith("(Markdown)") else "application/json"
    headers = {"content-type": "application/json", "accept": accept}
    start = clock()
    response = await client.post(ENDPOINTS[endpoint], content=content, headers=headers)
    seconds = clock() - start
    return seconds if response.status_code == 200 else None


async def measure(
    settings: Settings, depths: tuple[int, ...] = DEPTHS, tries: int = 3, endpoints: tuple[str, ...] = tuple(ENDPOINTS)
) -> list[Row]:
    """For each endpoint and depth, the heaviest admitted request, timed."""
    app = create_app(settings)
    rng = np.random.default_rng(12)
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://heaviest", timeout=600) as client:
        for endpoint in endpoints:
            for L in depths:
                for shape in candidates(endpoint, L, settings)[:tries]:
                    seconds = await send(client, endpoint, shape, rng)
                    if seconds is not None:
                        rows.append(Row(endpoint, shape, estimate(endpoint, shape).work, seconds))
                        break
    return rows


def table(rows: list[Row]) -> Iterator[str]:
    yield "| endpoint | shape | estimated work (≈ ns) | measured s | over 10 s? |"
    yield "|---|---|---:|---:|---|"
    for row in rows:
        over = "**yes**" if row.seconds > GOAL_SECONDS else "no"
        yield f"| {row.endpoint} | {row.shape} | {row.work:,} | {row.seconds:.2f} | {over} |"


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny budgets, no file written (a smoke test)")
    parser.add_argument("--only", choices=list(ENDPOINTS), help="one endpoint only, no file written")
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall", help="elapsed (default) or CPU seconds")
    options = parser.parse_args(argv)
    global clock
    clock = CLOCKS[options.clock]
    settings = Settings()
    if options.quick:
        settings = settings.model_copy(update={"max_request_work": 2_000_000, "max_train_steps": 10})
    endpoints = (options.only,) if options.only else tuple(ENDPOINTS)
    with threadpool_limits(limits=1):
        rows = asyncio.run(measure(settings, depths=(1, 10) if options.quick else DEPTHS, endpoints=endpoints))
    lines = list(table(rows))
    print("\n".join(lines))
    if not (options.quick or options.only):
        heading = [
            "# The heaviest valid request of each endpoint (`python -m bench.heaviest`)",
            "",
            f"Default settings (`max_request_work` = {settings.max_request_work:,}), in process, one BLAS thread, "
            f"{options.clock} seconds (`--clock {options.clock}`); for each endpoint and depth L the admitted request "
            "of the largest estimated work.",
            "",
        ]
        RESULTS.write_text("\n".join([*heading, *lines]) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
