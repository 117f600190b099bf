"""The seed's six cases over HTTP, each checked against the closed-form formulas of the seed notes.

Every expected value is computed here, in numpy, from the formulas of /work/shared/seed-notes.md:
z_k = l_{k−1} · W_k, l_k = σ(z_k), L = Σ ½ (y − ŷ)², Δ_L = (ŷ − y) * ŷ * (1 − ŷ),
Δ_k = (Δ_{k+1} · W_{k+1}ᵀ) * l_k * (1 − l_k), ∂L/∂W_k = l_{k−1}ᵀ · Δ_k.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.examples import SEED_TWO_LAYER
from service.api.schemas.responses import ForwardResponse, GradientsResponse, LossResponse

pytestmark = pytest.mark.anyio

RTOL, ATOL = 1e-12, 1e-15


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def matrix(value: Any, shape: tuple[int, int]) -> np.ndarray:
    """Assert that a JSON value is a 2-D list of numbers of the given shape and return it as an array."""
    assert isinstance(value, list), value
    assert all(isinstance(row, list) for row in value), value
    assert all(isinstance(x, float | int) and not isinstance(x, bool) for row in value for x in row), value
    array = np.array(value, dtype=float)
    assert array.shape == shape, (array.shape, shape)
    return array


async def post_gradients(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/gradients", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    GradientsResponse.model_validate(data)
    assert set(data) == {"loss", "output", "layers"}
    return data


def check_layer(layer: dict[str, Any], *, z: Any, a: Any, delta: Any, dW: Any) -> None:
    """Compare one layer of a gradients response with the expected z_k, l_k, Δ_k and ∂L/∂W_k."""
    z, a, delta, dW = (np.atleast_2d(np.asarray(v, dtype=float)) for v in (z, a, delta, dW))
    np.testing.assert_allclose(matrix(layer["pre_activation"], z.shape), z, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix(layer["activation"], a.shape), a, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix(layer["delta"], delta.shape), delta, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix(layer["weights_gradient"], dW.shape), dW, rtol=RTOL, atol=ATOL)
    assert "bias_gradient" not in layer


async def test_case_1_scalar(client: httpx.AsyncClient) -> None:
    """1 input → 1 output, one example: ∂L/∂w = (ŷ − y) ŷ (1 − ŷ) x, sent and returned as numbers / [[v]]."""
    w, x, y = 0.3, 2.0, 1.0
    data = await post_gradients(client, {"network": {"layers": [{"weights": w}]}, "inputs": x, "targets": y})
    y_hat = 1.0 / (1.0 + math.exp(-x * w))
    grad = (y_hat - y) * y_hat * (1.0 - y_hat) * x
    np.testing.assert_allclose(matrix(data["output"], (1, 1)), [[y_hat]], rtol=RTOL)
    assert data["loss"] == pytest.approx(0.5 * (y - y_hat) ** 2, rel=RTOL)
    (layer,) = data["layers"]
    check_layer(layer, z=x * w, a=y_hat, delta=(y_hat - y) * y_hat * (1 - y_hat), dW=grad)
    # The true gradient, not the series' sign-flipped (y − ŷ) ŷ (1 − ŷ) x: with y > ŷ it is negative.
    assert layer["weights_gradient"][0][0] < 0


async def test_case_2_one_example_flat_inputs(client: httpx.AsyncClient) -> None:
    """n inputs → 1 output, x a flat list (one example, 1 × n): ∂L/∂W = xᵀ · ((ŷ − y) ŷ (1 − ŷ)), n × 1."""
    x = np.array([[1.0, -2.0, 0.5]])
    W = np.array([[0.2], [0.1], [-0.4]])
    y = 0.25
    body = {"network": {"layers": [{"weights": W.tolist()}]}, "inputs": x[0].tolist(), "targets": y}
    data = await post_gradients(client, body)
    y_hat = sigmoid(x @ W)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    assert data["loss"] == pytest.approx(0.5 * float(((y - y_hat) ** 2).sum()), rel=RTOL)
    check_layer(data["layers"][0], z=x @ W, a=y_hat, delta=delta, dW=x.T @ delta)
    matrix(data["output"], (1, 1))


CASE_3_X = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0], [-1.5, 0.3, 0.2], [0.0, -0.7, 2.5]])
CASE_3_W = np.array([[0.3], [-0.6], [0.1]])
CASE_3_Y = np.array([1.0, 0.0, 0.5, 1.0])


@pytest.mark.parametrize(
    "targets", [CASE_3_Y.tolist(), CASE_3_Y.reshape(-1, 1).tolist()], ids=["flat-m-list", "m-by-1"]
)
async def test_case_3_batch(client: httpx.AsyncClient, targets: Any) -> None:
    """Batch X (m × n), n → 1: ∂L/∂W = Xᵀ · ((ŷ − y) * ŷ * (1 − ŷ)), the per-example gradients summed."""
    X, W, y = CASE_3_X, CASE_3_W, CASE_3_Y.reshape(-1, 1)
    body = {"network": {"layers": [{"weights": W.tolist()}]}, "inputs": X.tolist(), "targets": targets}
    data = await post_gradients(client, body)
    y_hat = sigmoid(X @ W)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    assert data["loss"] == pytest.approx(0.5 * float(((y - y_hat) ** 2).sum()), rel=RTOL)
    check_layer(data["layers"][0], z=X @ W, a=y_hat, delta=delta, dW=X.T @ delta)
    per_example = sum(np.outer(X[i], delta[i]) for i in range(len(X)))
    np.testing.assert_allclose(data["layers"][0]["weights_gradient"], per_example, rtol=1e-12)


async def test_case_4_one_hidden_node(client: httpx.AsyncClient) -> None:
    """n → 1 hidden node → 1, one example: the chain rule through a 1 × 1 hidden activation, in scalars."""
    x = [0.5, -1.0, 2.0]
    w1 = [0.4, 0.3, -0.2]
    w2 = 1.5
    y = 0.0
    body = {
        "network": {"layers": [{"weights": [[v] for v in w1]}, {"weights": [[w2]]}]},
        "inputs": x,
        "targets": y,
    }
    data = await post_gradients(client, body)
    z1 = sum(xi * wi for xi, wi in zip(x, w1, strict=True))
    h = 1.0 / (1.0 + math.exp(-z1))
    y_hat = 1.0 / (1.0 + math.exp(-h * w2))
    d2 = (y_hat - y) * y_hat * (1 - y_hat)
    d1 = d2 * w2 * h * (1 - h)
    assert data["loss"] == pytest.approx(0.5 * (y - y_hat) ** 2, rel=RTOL)
    first, second = data["layers"]
    check_layer(first, z=z1, a=h, delta=d1, dW=[[d1 * xi] for xi in x])
    check_layer(second, z=h * w2, a=y_hat, delta=d2, dW=h * d2)


async def test_case_5_two_hidden_nodes_docs_example(client: httpx.AsyncClient) -> None:
    """The docs example, n → 2 hidden → 1, one example: Δ_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1)."""
    body = SEED_TWO_LAYER
    x = np.array(body["inputs"], dtype=float).reshape(1, -1)
    W1, W2 = (np.array(layer["weights"], dtype=float) for layer in body["network"]["layers"])
    y = np.array([[body["targets"]]], dtype=float)
    assert (x.shape, W1.shape, W2.shape) == ((1, 3), (3, 2), (2, 1))
    data = await post_gradients(client, copy.deepcopy(body))
    l1 = sigmoid(x @ W1)
    y_hat = sigmoid(l1 @ W2)
    d2 = (y_hat - y) * y_hat * (1 - y_hat)
    d1 = (d2 @ W2.T) * l1 * (1 - l1)
    assert data["loss"] == pytest.approx(0.5 * float(((y - y_hat) ** 2).sum()), rel=RTOL)
    check_layer(data["layers"][0], z=x @ W1, a=l1, delta=d1, dW=x.T @ d1)
    check_layer(data["layers"][1], z=l1 @ W2, a=y_hat, delta=d2, dW=l1.T @ d2)


def case_6() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(6)
    m, n, h, k = 5, 4, 3, 2
    return rng.normal(size=(m, n)), rng.normal(size=(n, h)), rng.normal(size=(h, k)), rng.uniform(size=(m, k))


def case_6_body(X: np.ndarray, W1: np.ndarray, W2: np.ndarray, Y: np.ndarray) -> dict[str, Any]:
    layers = [{"weights": W1.tolist()}, {"weights": W2.tolist()}]
    return {"network": {"layers": layers}, "inputs": X.tolist(), "targets": Y.tolist()}


async def test_case_6_general_batch(client: httpx.AsyncClient) -> None:
    """n → h → k, batch: the general formulas, every product (n_{k−1} × m) · (m × n_k) = n_{k−1} × n_k."""
    X, W1, W2, Y = case_6()
    data = await post_gradients(client, case_6_body(X, W1, W2, Y))
    l1 = sigmoid(X @ W1)
    y_hat = sigmoid(l1 @ W2)
    d2 = (y_hat - Y) * y_hat * (1 - y_hat)
    d1 = (d2 @ W2.T) * l1 * (1 - l1)
    assert data["loss"] == pytest.approx(0.5 * float(((Y - y_hat) ** 2).sum()), rel=RTOL)
    np.testing.assert_allclose(matrix(data["output"], (5, 2)), y_hat, rtol=RTOL)
    check_layer(data["layers"][0], z=X @ W1, a=l1, delta=d1, dW=X.T @ d1)
    check_layer(data["layers"][1], z=l1 @ W2, a=y_hat, delta=d2, dW=l1.T @ d2)


async def test_case_6_batch_gradient_is_the_sum_of_per_example_gradients(client: httpx.AsyncClient) -> None:
    """L is a sum over the batch, so ∂L/∂W_k of the batch is the sum of the one-example gradients (no 1/m)."""
    X, W1, W2, Y = case_6()
    batch = await post_gradients(client, case_6_body(X, W1, W2, Y))
    singles = [await post_gradients(client, case_6_body(X[i : i + 1], W1, W2, Y[i : i + 1])) for i in range(len(X))]
    assert batch["loss"] == pytest.approx(sum(s["loss"] for s in singles), rel=1e-12)
    for k in range(2):
        total = sum(np.array(s["layers"][k]["weights_gradient"]) for s in singles)
        np.testing.assert_allclose(batch["layers"][k]["weights_gradient"], total, rtol=1e-12, atol=1e-15)


async def test_a_gradient_descent_step_lowers_the_loss(client: httpx.AsyncClient) -> None:
    """W_k ← W_k − η ∂L/∂W_k with a small η lowers L: the returned gradient has the right sign."""
    X, W1, W2, Y = case_6()
    before = await post_gradients(client, case_6_body(X, W1, W2, Y))
    dW1, dW2 = (np.array(layer["weights_gradient"]) for layer in before["layers"])
    eta = 1e-2
    response = await client.post("/v1/loss", json=case_6_body(X, W1 - eta * dW1, W2 - eta * dW2, Y))
    assert response.status_code == 200, response.text
    after = response.json()["loss"]
    squared_norm = float((dW1**2).sum() + (dW2**2).sum())
    assert after < before["loss"]
    assert before["loss"] - after == pytest.approx(eta * squared_norm, rel=1e-2)


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}


def mixed_network() -> tuple[list[dict[str, Any]], np.ndarray]:
    rng = np.random.default_rng(42)
    widths = [3, 4, 3, 2, 2]
    names = ["tanh", "relu", "linear", "sigmoid"]
    layers: list[dict[str, Any]] = []
    for k, name in enumerate(names):
        layer: dict[str, Any] = {"weights": rng.normal(size=(widths[k], widths[k + 1])).tolist(), "activation": name}
        if k % 2 == 0:
            layer["bias"] = rng.normal(size=widths[k + 1]).tolist()
        layers.append(layer)
    return layers, rng.normal(size=(4, widths[0]))


def numpy_forward(layers: list[dict[str, Any]], X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    out, a = [], X
    for layer in layers:
        z = a @ np.array(layer["weights"]) + np.array(layer.get("bias", 0.0))
        a = ACTIVATIONS[layer.get("activation", "sigmoid")](z)
        out.append((z, a))
    return out


async def test_forward_matches_numpy(client: httpx.AsyncClient) -> None:
    """/v1/forward: z_k = l_{k−1} · W_k (+ b_k), l_k = f_k(z_k) for every layer, and ŷ = l_L; no targets needed."""
    layers, X = mixed_network()
    response = await client.post("/v1/forward", json={"network": {"layers": layers}, "inputs": X.tolist()})
    assert response.status_code == 200, response.text
    data = response.json()
    ForwardResponse.model_validate(data)
    expected = numpy_forward(layers, X)
    assert len(data["layers"]) == len(expected)
    for got, (z, a) in zip(data["layers"], expected, strict=True):
        np.testing.assert_allclose(matrix(got["pre_activation"], z.shape), z, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(matrix(got["activation"], a.shape), a, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(matrix(data["output"], (4, 2)), expected[-1][1], rtol=RTOL, atol=ATOL)


LOSS_DEFINITIONS = {
    "half_squared_error": lambda y, p: 0.5 * np.sum((y - p) ** 2),
    "mean_squared_error": lambda y, p: np.mean((y - p) ** 2),
    "binary_cross_entropy": lambda y, p: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
}


@pytest.mark.parametrize("name", list(LOSS_DEFINITIONS))
async def test_loss_matches_its_definition(client: httpx.AsyncClient, name: str) -> None:
    """/v1/loss for every loss, over a batch with two outputs; /v1/gradients reports the same loss."""
    layers, X = mixed_network()
    Y = np.random.default_rng(7).uniform(size=(4, 2))
    body = {"network": {"layers": layers}, "inputs": X.tolist(), "targets": Y.tolist(), "loss": name}
    response = await client.post("/v1/loss", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    LossResponse.model_validate(data)
    y_hat = numpy_forward(layers, X)[-1][1]
    np.testing.assert_allclose(matrix(data["output"], (4, 2)), y_hat, rtol=RTOL)
    assert data["loss"] == pytest.approx(float(LOSS_DEFINITIONS[name](Y, y_hat)), rel=1e-12)
    gradients = await post_gradients(client, body)
    assert gradients["loss"] == pytest.approx(data["loss"], rel=1e-12)


async def test_half_squared_error_is_the_default_loss(client: httpx.AsyncClient) -> None:
    body = copy.deepcopy(SEED_TWO_LAYER)
    del body["loss"]
    default = (await client.post("/v1/loss", json=body)).json()["loss"]
    explicit = (await client.post("/v1/loss", json={**body, "loss": "half_squared_error"})).json()["loss"]
    assert default == explicit


async def test_bias_adds_to_z_and_has_a_gradient(client: httpx.AsyncClient) -> None:
    """z_k = l_{k−1} · W_k + b_k; ∂L/∂b_k = column sums of Δ_k, a list of n_k numbers; absent without bias."""
    X, W1, W2, Y = case_6()
    b1 = np.array([0.1, -0.2, 0.3])
    body = case_6_body(X, W1, W2, Y)
    body["network"]["layers"][0]["bias"] = b1.tolist()
    data = await post_gradients(client, body)
    l1 = sigmoid(X @ W1 + b1)
    y_hat = sigmoid(l1 @ W2)
    d2 = (y_hat - Y) * y_hat * (1 - y_hat)
    d1 = (d2 @ W2.T) * l1 * (1 - l1)
    first, second = data["layers"]
    np.testing.assert_allclose(first["pre_activation"], X @ W1 + b1, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(first["weights_gradient"], X.T @ d1, rtol=RTOL, atol=ATOL)
    bias_gradient = first["bias_gradient"]
    assert isinstance(bias_gradient, list)
    assert all(isinstance(v, float) for v in bias_gradient)
    np.testing.assert_allclose(bias_gradient, d1.sum(axis=0), rtol=RTOL, atol=ATOL)
    assert "bias_gradient" not in second
    np.testing.assert_allclose(second["weights_gradient"], l1.T @ d2, rtol=RTOL, atol=ATOL)
    assert data["loss"] == pytest.approx(0.5 * float(((Y - y_hat) ** 2).sum()), rel=RTOL)
