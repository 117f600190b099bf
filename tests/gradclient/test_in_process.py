"""Both clients on the app in-process (httpx.ASGITransport): every endpoint, every field, compact tensors, ∂L/∂X."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from gradclient import AsyncGradientClient, GradientClient, TrainedNetwork
from service.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APP = create_app()


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return body


@pytest.fixture
def client() -> Iterator[GradientClient]:
    with GradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as gradients:
        yield gradients


def args(name: str) -> tuple[Any, Any, Any]:
    body = example(name)
    return body["network"], body["inputs"], body["targets"]


def test_the_sync_client_calls_the_app_in_process(client: GradientClient) -> None:
    result = client.gradients(*args("seed_case_5.json"))
    assert result.loss == pytest.approx(0.08105458279800112, rel=1e-12)
    assert result.layers[1].weights_gradient.shape == (2, 1)
    assert result.input_gradient is None


def test_the_sync_client_in_process_where_an_event_loop_runs() -> None:
    """A notebook's cell runs inside an event loop: the sync client still works there."""

    async def cell() -> float:
        with GradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as client:
            return client.loss(*args("seed_case_5.json")).loss

    assert asyncio.run(cell()) == pytest.approx(0.08105458279800112, rel=1e-12)


def test_the_async_client_refuses_a_sync_transport_naming_the_sync_client() -> None:
    with pytest.raises(TypeError, match="use GradientClient"):
        AsyncGradientClient(transport=httpx.HTTPTransport())  # type: ignore[arg-type]


def central_differences(network: dict[str, Any], X: np.ndarray, Y: np.ndarray, client: GradientClient) -> np.ndarray:
    """∂L/∂X by central differences of the service's own /v1/loss."""
    grad = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        grad[index] = (client.loss(network, up, Y).loss - client.loss(network, down, Y).loss) / (
            up[index] - down[index]
        )
    return grad


def test_input_gradient_is_the_central_difference_of_the_loss(client: GradientClient) -> None:
    network, inputs, targets = args("seed_case_6.json")
    X, Y = np.array(inputs), np.array(targets)
    result = client.gradients(network, X, Y, input_gradient=True)
    assert result.input_gradient is not None
    assert result.input_gradient.shape == X.shape  # m × n_0
    np.testing.assert_allclose(result.input_gradient, central_differences(network, X, Y, client), rtol=1e-6, atol=1e-10)
    assert result.layers[0].delta.shape == (4, 4)  # the default fields are still there
    W1 = np.array(network["layers"][0]["weights"])
    np.testing.assert_allclose(result.input_gradient, result.layers[0].delta @ W1.T, rtol=1e-12)
    only = client.gradients(network, X, Y, include=["input_gradient"], encoding="base64")
    assert only.loss is None
    assert only.layers is None
    np.testing.assert_array_equal(only.input_gradient, result.input_gradient)


def test_check_carries_every_field(client: GradientClient) -> None:
    result = client.check(*args("seed_case_5.json"))
    assert result.passed is True
    assert result.loss == pytest.approx(0.08105458279800112, rel=1e-12)
    assert result.epsilon == 1e-6
    assert result.kinks == 0
    assert result.note is None
    assert set(result.thresholds) == {"fine", "acceptable"}
    assert result.roundoff > 0
    assert result.error_model
    layer = result.layers[0]
    assert layer.rating == "fine"
    assert layer.kinks == 0
    assert layer.failing == ()
    assert layer.failing_count == 0
    assert layer.worst is not None
    assert layer.worst.parameter == "W"
    assert layer.worst.analytic == pytest.approx(layer.analytic_gradient[layer.worst.row, layer.worst.column])
    assert layer.numerical_bias_gradient is None
    np.testing.assert_allclose(layer.numerical_gradient, layer.analytic_gradient, rtol=1e-5)


def test_verify_carries_every_field(client: GradientClient) -> None:
    body = example("verify_wrong_sign.json")
    result = client.verify(body["network"], body["inputs"], body["targets"], body["claimed_gradients"])
    assert result.all_correct is False
    assert result.rtol == 1e-3
    first = result.layers[0]
    assert first.wrong_entries == ()
    assert first.wrong_count == 0
    assert first.verdict == "sign_flipped"
    assert first.factor == pytest.approx(-1.0, rel=1e-3)
    assert isinstance(first.hint, str)
    assert first.hint
    assert first.worst_index is None
    assert first.missing_at_layer is None
    assert first.bias is None
    assert first.expected.shape == (3, 2)


def test_verify_names_the_worst_entry(client: GradientClient) -> None:
    network, inputs, targets = args("seed_case_5.json")
    true = client.gradients(network, inputs, targets).weights_gradients
    wrong = true[0].copy()
    wrong[2, 1] += 1.0
    result = client.verify(network, inputs, targets, [wrong, true[1]])
    assert result.layers[0].verdict == "incorrect"
    assert result.layers[0].worst_index == (2, 1)


def test_train_answers_a_network_ready_to_post_again(client: GradientClient) -> None:
    body = example("xor_training.json")
    result = client.train(
        body["network"], body["inputs"], body["targets"], learning_rate=body["learning_rate"], steps=body["steps"]
    )
    assert result.loss_history.shape == (body["steps"] + 1,)
    assert result.loss_history[-1] < 0.01 < 0.5 < result.loss_history[0]
    assert isinstance(result.network, TrainedNetwork)
    assert [layer.activation for layer in result.network.layers] == ["sigmoid", "sigmoid"]
    assert result.network.layers[0].bias is not None
    assert result.network.layers[0].bias.shape == (2,)
    again = client.loss(result.network, body["inputs"], body["targets"])
    assert again.loss == pytest.approx(result.loss_history[-1], rel=1e-12)
    np.testing.assert_allclose(np.round(result.output), [[0], [1], [1], [0]])
    compact = client.train(body["network"], body["inputs"], body["targets"], steps=3, encoding="base64")
    assert client.loss(compact.network, body["inputs"], body["targets"]).loss == pytest.approx(
        compact.loss_history[-1], rel=1e-12
    )


def test_derivation_steps_and_markdown(client: GradientClient) -> None:
    network, inputs, targets = args("seed_case_5.json")
    result = client.derivation(network, inputs, targets)
    symbols = [step.symbol for step in result.steps]
    assert symbols[:2] == ["z_1", "l_1"]
    assert "∂L/∂W_1" in symbols
    loss = next(step for step in result.steps if step.kind == "loss")
    assert loss.layer is None
    assert isinstance(loss.value, float)
    assert loss.value == pytest.approx(0.08105458279800112, rel=1e-12)
    dW1 = next(step for step in result.steps if step.symbol == "∂L/∂W_1")
    assert dW1.shapes.check == "(3 × 1) · (1 × 2) = 3 × 2"
    assert [operand.shape for operand in dW1.shapes.operands] == [(3, 1), (1, 2)]
    assert dW1.shapes.result == (3, 2)
    assert isinstance(dW1.value, np.ndarray)
    assert dW1.value.shape == (3, 2)
    compact = client.derivation(network, inputs, targets, encoding="base64")
    np.testing.assert_array_equal(compact.steps[-1].value, result.steps[-1].value)
    markdown = client.derivation_markdown(network, inputs, targets)
    assert "## Backward pass" in markdown
    assert "∂L/∂W_1 = Xᵀ · Δ_1" in markdown


@pytest.mark.anyio
async def test_the_async_client_has_the_same_methods(anyio_backend: str) -> None:
    network, inputs, targets = args("seed_case_5.json")
    async with AsyncGradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as client:
        result = await client.gradients(network, inputs, targets, input_gradient=True)
        derivation = await client.derivation(network, inputs, targets)
        markdown = await client.derivation_markdown(network, inputs, targets)
    assert result.input_gradient is not None
    assert result.input_gradient.shape == (1, 3)
    assert derivation.steps[-1].symbol == "∂L/∂W_1"
    assert markdown.startswith("#")
