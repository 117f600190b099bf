"""``bench.accuracy``: its exact reference is right, and the service is within a few ulps of it where units saturate."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pytest

from bench import accuracy

pytestmark = pytest.mark.anyio


def perturbed(request: dict[str, Any], k: int, p: int, j: int, h: Decimal) -> Decimal:
    """The exact loss with W_k[p, j] moved by h (carried as a Decimal, not rounded to a float)."""
    layers = [dict(layer) for layer in request["network"]["layers"]]
    weights = [list(row) for row in layers[k]["weights"]]
    with localcontext() as context:
        context.prec = accuracy.DIGITS
        weights[p][j] = Decimal(weights[p][j]) + h
    layers[k]["weights"] = weights
    loss, _, _ = accuracy.exact({**request, "network": {"layers": layers}})
    return loss


@pytest.mark.parametrize("seed", range(8))
def test_the_reference_gradient_is_the_derivative_of_its_loss(seed: int) -> None:
    """Central differences of the 40-digit loss, h = 1e-12: truncation ~h², rounding ~1e-40 / h, both ≪ 1e-15."""
    request = accuracy.random_request(np.random.default_rng(seed), scale=3.0)
    _, dWs, _ = accuracy.exact(request)
    h = Decimal("1e-12")
    for k, dW in enumerate(dWs):
        for p, j in [(0, 0), (len(dW) - 1, len(dW[0]) - 1)]:
            with localcontext() as context:
                context.prec = accuracy.DIGITS
                difference = (perturbed(request, k, p, j, h) - perturbed(request, k, p, j, -h)) / (2 * h)
            largest = max(abs(x) for row in dW for x in row)
            assert abs(difference - dW[p][j]) <= Decimal("1e-15") * max(largest, Decimal("1e-30"))


@pytest.mark.parametrize("scale", [1.0, 10.0])
async def test_the_service_is_within_a_few_ulps_of_the_exact_gradients(scale: float) -> None:
    """Every activation and loss, with saturating units at scale 10 (where PyTorch's ŷ (1 − ŷ) loses them)."""
    errors = await accuracy.measure(scale, networks=60, seed=1)
    assert errors.gradients > 100
    assert errors.service < 1e-12


def test_the_error_sees_the_textbook_derivative_lose_a_saturated_gradient() -> None:
    """σ′ = ŷ (1 − ŷ) in float64, as the engines compute it, gives ∂L/∂W = 0 at z = 40: error 1, not a few ulps."""
    request = {
        "network": {"layers": [{"weights": [[1.0]], "activation": "sigmoid"}]},
        "inputs": [[40.0]],
        "targets": [[0.0]],
        "loss": "half_squared_error",
    }
    _, dWs, _ = accuracy.exact(request)
    y_hat = 1.0 / (1.0 + np.exp(-40.0))
    textbook = (y_hat - 0.0) * y_hat * (1.0 - y_hat) * 40.0
    assert accuracy.error([[textbook]], dWs[0]) == 1.0
    assert float(dWs[0][0][0]) > 0.0
