"""Both clients' ``hessian_vector``: ∇²L · v against central differences of the seed's own gradient formulas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest

from gradclient import AsyncGradientClient, GradientClient, HessianVectorResult, ProblemError
from service.app import create_app

if TYPE_CHECKING:
    from tests.gradclient.conftest import TwoLayers

EPS = 1e-5


def directions(batch: TwoLayers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.normal(size=batch.W1.shape), rng.normal(size=batch.b1.shape), rng.normal(size=batch.W2.shape)


def numeric(batch: TwoLayers) -> list[np.ndarray]:
    """(∇L(θ + εv) − ∇L(θ − εv)) / 2ε with the conftest's formulas: dW_1, db_1, dW_2."""
    V1, v1, V2 = directions(batch)

    def gradient(t: float) -> list[np.ndarray]:
        moved = type(batch)(X=batch.X, W1=batch.W1 + t * V1, b1=batch.b1 + t * v1, W2=batch.W2 + t * V2, Y=batch.Y)
        return [moved.dW1, moved.db1, moved.dW2]

    return [(up - down) / (2 * EPS) for up, down in zip(gradient(EPS), gradient(-EPS), strict=True)]


def assert_matches(result: HessianVectorResult, batch: TwoLayers) -> None:
    expected = numeric(batch)
    first, second = result.layers
    got = [first.hessian_vector.weights, first.hessian_vector.bias, second.hessian_vector.weights]
    for actual, wanted in zip(got, expected, strict=True):
        assert actual is not None
        np.testing.assert_allclose(actual, wanted, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(first.weights_gradient, batch.dW1, rtol=1e-12)
    V1, v1, V2 = directions(batch)
    slope = (batch.dW1 * V1).sum() + batch.db1 @ v1 + (batch.dW2 * V2).sum()
    assert result.slope == pytest.approx(slope, rel=1e-12)
    assert result.newton_step == pytest.approx(-result.slope / result.curvature)


def test_sync_client(batch: TwoLayers) -> None:
    V1, v1, V2 = directions(batch)
    with GradientClient("http://testserver", transport=httpx.ASGITransport(app=create_app())) as client:
        result = client.hessian_vector(batch.network, batch.X, batch.Y, [{"weights": V1, "bias": v1}, V2])
        assert isinstance(result, HessianVectorResult)
        assert_matches(result, batch)
        compact = client.hessian_vector(
            batch.network, batch.X, batch.Y, [{"weights": V1, "bias": v1}, V2], encoding="base64", include=["layers"]
        )
        assert compact.loss is None
        np.testing.assert_array_equal(compact.weights_products[1], result.weights_products[1])
        with pytest.raises(ProblemError) as caught:
            client.hessian_vector(batch.network, batch.X, batch.Y, [V1, V2])
        assert caught.value.errors[0].pointer == "/vector/0/bias"


@pytest.mark.anyio
async def test_async_client(batch: TwoLayers) -> None:
    V1, v1, V2 = directions(batch)
    async with AsyncGradientClient("http://testserver", transport=httpx.ASGITransport(app=create_app())) as client:
        result = await client.hessian_vector(batch.network, batch.X, batch.Y, [{"weights": V1, "bias": v1}, V2])
        assert_matches(result, batch)
