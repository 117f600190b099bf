"""AsyncGradientClient against the app in-process (httpx.ASGITransport): numpy in, typed numpy results out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest

from gradclient import AsyncGradientClient, GradientsResult, ProblemError
from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app

if TYPE_CHECKING:
    from tests.gradclient.conftest import TwoLayers

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(anyio_backend: str) -> AsyncIterator[AsyncGradientClient]:
    async with AsyncGradientClient("http://testserver", transport=httpx.ASGITransport(app=create_app())) as gradients:
        yield gradients


async def test_gradients_of_a_batch_are_the_seed_formulas(client: AsyncGradientClient, batch: TwoLayers) -> None:
    result = await client.gradients(batch.network, batch.X, batch.Y)
    assert isinstance(result, GradientsResult)
    assert result.loss == pytest.approx(batch.loss, rel=1e-12)
    np.testing.assert_allclose(result.output, batch.y_hat, rtol=1e-12)
    first, second = result.layers
    for actual, expected in [
        (first.pre_activation, batch.z1),
        (first.activation, batch.l1),
        (first.delta, batch.delta1),
        (first.weights_gradient, batch.dW1),
        (first.bias_gradient, batch.db1),
        (second.pre_activation, batch.z2),
        (second.delta, batch.delta2),
        (second.weights_gradient, batch.dW2),
    ]:
        assert isinstance(actual, np.ndarray)
        assert actual.dtype == np.float64
        assert actual.shape == expected.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-15)
    assert second.bias_gradient is None
    assert [dW.shape for dW in result.weights_gradients] == [(3, 2), (2, 1)]


async def test_lists_json_networks_and_bare_weights_give_the_same_answer(client: AsyncGradientClient) -> None:
    seed = SEED_TWO_LAYER
    from_json = await client.gradients(seed["network"], seed["inputs"], seed["targets"])
    weights = [np.array(layer["weights"]) for layer in seed["network"]["layers"]]
    from_arrays = await client.gradients(weights, np.array(seed["inputs"]), np.float64(seed["targets"]))
    assert from_json.loss == from_arrays.loss
    for a, b in zip(from_json.layers, from_arrays.layers, strict=True):
        np.testing.assert_array_equal(a.weights_gradient, b.weights_gradient)


async def test_forward_and_loss(client: AsyncGradientClient, batch: TwoLayers) -> None:
    forward = await client.forward(batch.network, batch.X)
    np.testing.assert_allclose(forward.output, batch.y_hat, rtol=1e-12)
    np.testing.assert_allclose(forward.layers[0].activation, batch.l1, rtol=1e-12)
    assert not hasattr(forward.layers[0], "delta")
    for loss_name, expected in [
        ("half_squared_error", batch.loss),
        ("mean_squared_error", float(np.mean((batch.Y - batch.y_hat) ** 2))),
    ]:
        result = await client.loss(batch.network, batch.X, batch.Y, loss=loss_name)
        assert result.loss == pytest.approx(expected, rel=1e-12)
        np.testing.assert_allclose(result.output, batch.y_hat, rtol=1e-12)


async def test_a_shape_mismatch_raises_a_problem_naming_the_field(client: AsyncGradientClient) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.gradients([np.ones((3, 2)), np.ones((3, 1))], np.ones(3), 1.0)
    problem = raised.value
    assert (problem.status, problem.title, problem.type) == (422, "Unprocessable Entity", "/problems/invalid-request")
    assert problem.pointers == ("/network/layers/1/weights",)
    assert "3 × 1" in problem.errors[0].message
    assert problem.detail in str(problem)
    assert problem.problem["status"] == 422


async def test_nan_is_sent_and_the_service_names_it(client: AsyncGradientClient) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.forward([np.ones((2, 1))], np.array([[1.0, np.nan]]))
    assert raised.value.pointers == ("/inputs/0/1",)


async def test_post_sends_bytes_as_they_are(client: AsyncGradientClient) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.post("/v1/gradients", b'{"network": ')
    assert (raised.value.status, raised.value.type) == (400, "/problems/malformed-json")


async def test_check_against_the_real_endpoint_passes_for_backprop(
    client: AsyncGradientClient, batch: TwoLayers
) -> None:
    result = await client.check(batch.network, batch.X, batch.Y)
    assert result.passed
    first, second = result.layers
    np.testing.assert_allclose(first.analytic_gradient, batch.dW1, rtol=1e-12)
    np.testing.assert_allclose(second.analytic_gradient, batch.dW2, rtol=1e-12)
    np.testing.assert_allclose(first.numerical_gradient, batch.dW1, rtol=1e-5, atol=1e-9)


async def test_verify_against_the_real_endpoint_names_the_wrong_sign(
    client: AsyncGradientClient, batch: TwoLayers
) -> None:
    result = await client.verify(batch.network, batch.X, batch.Y, claimed_gradients=[-batch.dW1, batch.dW2])
    assert not result.all_correct
    assert [layer.verdict for layer in result.layers] == ["sign_flipped", "correct"]


async def test_train_against_the_real_endpoint_lowers_the_loss(client: AsyncGradientClient, batch: TwoLayers) -> None:
    result = await client.train(batch.network, batch.X, batch.Y, learning_rate=0.5, steps=20)
    assert result.loss_history.shape == (21,)
    assert result.loss_history[0] == pytest.approx(batch.loss, rel=1e-12)
    assert result.loss_history[-1] < result.loss_history[0]
    again = await client.loss(result.network, batch.X, batch.Y)
    assert again.loss == pytest.approx(result.loss_history[-1], rel=1e-12)
