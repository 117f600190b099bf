"""The request bodies of the benchmark, made from a fixed seed.

``seed``: 1 example through 3-2-1; ``medium``: 64 examples through 32-16-4;
``large``: 2048 examples through 128-64-10. The ``large-*`` variants use the
service's options: ``include`` only the loss and ∂L/∂W_k, and compact base64
tensors in the request and the response.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.api.schemas.compact import encode


@dataclass(frozen=True)
class Workload:
    """A request body and which servers understand it."""

    name: str
    body: dict[str, Any]
    options: bool = False
    """Uses ``include``/``encoding``, which only this service speaks."""


def network_request(m: int, sizes: list[int], seed: int = 0) -> dict[str, Any]:
    """A sigmoid network n_0 → … → n_L with weights ~ N(0, 1/n_{k−1}), m random examples and targets in [0, 1]."""
    rng = np.random.default_rng(seed)
    layers = [
        {"weights": (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).tolist(), "activation": "sigmoid"}
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    return {
        "network": {"layers": layers},
        "inputs": rng.standard_normal((m, sizes[0])).tolist(),
        "targets": rng.random((m, sizes[-1])).tolist(),
        "loss": "half_squared_error",
    }


def compact_request(body: dict[str, Any]) -> dict[str, Any]:
    """The same request with float32 inputs and targets and float64 weights as base64, asking for little back."""

    def float32(rows: list[list[float]]) -> dict[str, Any]:
        return encode(np.array(rows), "float32")

    layers = [{**layer, "weights": encode(np.array(layer["weights"]))} for layer in body["network"]["layers"]]
    return {
        **body,
        "network": {"layers": layers},
        "inputs": float32(body["inputs"]),
        "targets": float32(body["targets"]),
        "include": ["loss", "weights_gradient"],
        "encoding": "base64",
    }


def workloads(quick: bool = False) -> list[Workload]:
    """Every workload; ``quick`` keeps the small ones, with a tiny stand-in for the compact options."""
    seed = network_request(1, [3, 2, 1])
    medium = network_request(64, [32, 16, 4])
    if quick:
        return [
            Workload("seed", seed),
            Workload("medium", medium),
            Workload("medium-compact", compact_request(medium), True),
        ]
    large = network_request(2048, [128, 64, 10])
    return [
        Workload("seed", seed),
        Workload("medium", medium),
        Workload("large", large),
        Workload("large-include", {**large, "include": ["loss", "weights_gradient"]}, True),
        Workload("large-compact", compact_request(large), True),
    ]
