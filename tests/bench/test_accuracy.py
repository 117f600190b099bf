"""``bench.accuracy``: its exact reference is right, and the service is within a few ulps of it where units saturate."""

from __future__ import annotations

import copy
import math
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pytest

from bench import accuracy

pytestmark = pytest.mark.anyio


def exact_loss(request: dict[str, Any], path: list[Any], h: Decimal) -> Decimal:
    """The exact loss with the number at ``path`` (e.g. ``["inputs", 0, 1]``) moved by h, kept as a Decimal."""
    moved = copy.deepcopy(request)
    *parents, last = path
    container = moved
    for key in parents:
        container = container[key]
    with localcontext() as context:
        context.prec = accuracy.DIGITS
        container[last] = Decimal(container[last]) + h
    return dict(accuracy.exact(moved))["loss"]


@pytest.mark.parametrize("seed", range(8))
def test_the_reference_gradients_are_the_derivatives_of_its_loss(seed: int) -> None:
    """Central differences of the 60-digit loss, h = 1e-12: truncation ~h², rounding ~1e-60 / h, both ≪ 1e-15.

    ∂L/∂W_k and ∂L/∂X at two entries each (the first and the last), and ∂L/∂b_k at its last, for every loss.
    """
    request = accuracy.random_request(np.random.default_rng(seed), scale=3.0)
    h = Decimal("1e-12")
    for name, gradient in accuracy.exact(request)[1:]:
        parts = name.split("/")
        path: list[Any] = ["inputs"] if name == "input_gradient" else ["network", "layers", int(parts[1])]
        path += [] if name == "input_gradient" else ["weights" if parts[2] == "weights_gradient" else "bias"]
        entries = [gradient.shape[0] - 1] if gradient.ndim == 1 else [(0, 0), tuple(np.subtract(gradient.shape, 1))]
        for entry in entries:
            at = [*path, *np.atleast_1d(entry).tolist()]
            with localcontext() as context:
                context.prec = accuracy.DIGITS
                difference = (exact_loss(request, at, h) - exact_loss(request, at, -h)) / (2 * h)
            largest = max(abs(x) for x in gradient.flat)
            assert abs(difference - gradient[entry]) <= Decimal("1e-15") * max(largest, Decimal("1e-30")), (name, entry)


@pytest.mark.parametrize("loss", accuracy.LOSSES)
def test_the_reference_losses_are_the_definitions(loss: str) -> None:
    """Where nothing saturates, the 60-digit losses agree with their definitions computed in float64."""
    z = np.array([[0.3, -1.2], [2.0, 0.1]])
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    activation = accuracy.LAST.get(loss, "sigmoid")
    request = {
        "network": {"layers": [{"weights": [[1.0, 0.0], [0.0, 1.0]], "activation": activation}]},
        "inputs": z.tolist(),
        "targets": y.tolist(),
        "loss": loss,
    }
    y_hat = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) if activation == "softmax" else 1 / (1 + np.exp(-z))
    definitions = {
        "half_squared_error": 0.5 * np.sum((y - y_hat) ** 2),
        "mean_squared_error": np.mean((y - y_hat) ** 2),
        "binary_cross_entropy": -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)),
        "cross_entropy": -np.sum(y * np.log(y_hat)) / len(y),
    }
    assert float(dict(accuracy.exact(request))["loss"]) == pytest.approx(definitions[loss], rel=1e-14)


@pytest.mark.parametrize("scale", [1.0, 10.0])
async def test_the_service_is_within_a_few_ulps_of_the_exact_values(scale: float) -> None:
    """Every activation and loss, with saturating units at scale 10 (where PyTorch's ŷ (1 − ŷ) loses them)."""
    errors = await accuracy.measure(scale, networks=60, seed=1)
    assert errors.values > 250
    assert errors.service < 1e-12


def test_the_error_sees_the_textbook_derivative_lose_a_saturated_gradient() -> None:
    """σ′ = ŷ (1 − ŷ) in float64, as the engines compute it, gives ∂L/∂W = 0 at z = 40: error 1, not a few ulps."""
    request = {
        "network": {"layers": [{"weights": [[1.0]], "activation": "sigmoid"}]},
        "inputs": [[40.0]],
        "targets": [[0.0]],
        "loss": "half_squared_error",
    }
    exact = dict(accuracy.exact(request))["layers/0/weights_gradient"]
    y_hat = 1.0 / (1.0 + math.exp(-40.0))
    textbook = (y_hat - 0.0) * y_hat * (1.0 - y_hat) * 40.0
    assert accuracy.error([[textbook]], exact) == 1.0
    assert float(exact[0, 0]) > 0.0
