"""Every weight and bias gradient from /v1/gradients against central finite differences of the loss.

Seeded random networks of depth 1–4, every activation, every loss, with and without bias, small
widths and batches. The loss is recomputed in numpy here, from the definitions, for each perturbed
parameter; it is first checked against /v1/loss, and one test takes the differences through /v1/loss.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from gradcore import ACTIVATIONS as CORE_ACTIVATIONS
from gradcore import LOSSES as CORE_LOSSES
from service.api.schemas.responses import GradientsResponse

pytestmark = pytest.mark.anyio

STEP = 1e-5
KINK = 1e-3

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}
LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "half_squared_error": lambda y, p: float(0.5 * np.sum((y - p) ** 2)),
    "mean_squared_error": lambda y, p: float(np.mean((y - p) ** 2)),
    "binary_cross_entropy": lambda y, p: float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
    "cross_entropy": lambda y, p: float(-np.sum(y * np.log(p)) / y.shape[0]),
}
Params = list[dict[str, np.ndarray]]


def test_the_reference_covers_every_activation_and_loss() -> None:
    assert set(ACTIVATIONS) == set(CORE_ACTIVATIONS)
    assert set(LOSSES) == set(CORE_LOSSES)


def pre_activations(params: Params, activations: list[str], X: np.ndarray) -> list[np.ndarray]:
    zs, a = [], X
    for layer, name in zip(params, activations, strict=True):
        z = a @ layer["W"] + layer.get("b", 0.0)
        zs.append(z)
        a = ACTIVATIONS[name](z)
    return zs


def numpy_loss(params: Params, activations: list[str], X: np.ndarray, Y: np.ndarray, loss: str) -> float:
    z = pre_activations(params, activations, X)[-1]
    return LOSSES[loss](Y, ACTIVATIONS[activations[-1]](z))


def body(params: Params, activations: list[str], X: np.ndarray, Y: np.ndarray, loss: str) -> dict[str, Any]:
    layers = []
    for layer, name in zip(params, activations, strict=True):
        spec: dict[str, Any] = {"weights": layer["W"].tolist(), "activation": name}
        if "b" in layer:
            spec["bias"] = layer["b"].tolist()
        layers.append(spec)
    return {"network": {"layers": layers}, "inputs": X.tolist(), "targets": Y.tolist(), "loss": loss}


def random_problem(seed: int, activations: list[str], loss: str, bias: bool) -> tuple[Params, np.ndarray, np.ndarray]:
    """Draw weights, inputs and targets; redraw until every relu z is ≥ KINK away from 0 and every relu unit fires."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        widths = rng.integers(1, 4, size=len(activations) + 1)
        if activations[-1] == "softmax":  # softmax over one output is constant: at least 2
            widths[-1] = max(widths[-1], 2)
        m = int(rng.integers(1, 4))
        params: Params = []
        for k in range(len(activations)):
            layer = {"W": rng.normal(size=(widths[k], widths[k + 1]))}
            if bias:
                layer["b"] = rng.normal(size=widths[k + 1])
            params.append(layer)
        X = rng.normal(size=(m, widths[0]))
        Y = rng.uniform(size=(m, widths[-1])) if loss == "binary_cross_entropy" else rng.normal(size=(m, widths[-1]))
        if loss == "cross_entropy":
            Y = rng.dirichlet(np.ones(widths[-1]), size=m)
        relus = [
            z for z, name in zip(pre_activations(params, activations, X), activations, strict=True) if name == "relu"
        ]
        if all(np.abs(z).min() >= KINK and (z > 0).any(axis=0).all() for z in relus):
            return params, X, Y
    raise AssertionError("could not draw a network away from the relu kink with every relu unit active")


def perturbations(params: Params) -> Iterator[tuple[tuple[int, str, tuple[int, ...]], Params, Params]]:
    """For every weight and bias entry θ: its place, and the networks with θ + h and with θ − h."""
    for k, layer in enumerate(params):
        for key, value in layer.items():
            for index in np.ndindex(value.shape):
                shifted = []
                for sign in (1.0, -1.0):
                    network = [dict(p) for p in params]
                    network[k][key] = value.copy()
                    network[k][key][index] += sign * STEP
                    shifted.append(network)
                yield (k, key, index), shifted[0], shifted[1]


def zeros_like(params: Params) -> Params:
    return [{key: np.zeros_like(value) for key, value in layer.items()} for layer in params]


def numeric_gradient(params: Params, loss_of: Callable[[Params], float]) -> Params:
    """Central differences (L(θ + h) − L(θ − h)) / 2h for every weight and bias entry."""
    grads = zeros_like(params)
    for (k, key, index), plus, minus in perturbations(params):
        grads[k][key][index] = (loss_of(plus) - loss_of(minus)) / (2 * STEP)
    return grads


def cases() -> list[Any]:
    """Every activation × every loss × with/without bias; depths cycle 1–4 so each activation sees each depth."""
    names = list(ACTIVATIONS)
    hidden_names = [name for name in names if name != "softmax"]  # softmax: last layer only
    params = []
    for i, (activation, loss, bias) in enumerate(itertools.product(names, LOSSES, (False, True))):
        depth = 1 + i % 4
        start = names.index(activation)
        hidden = [hidden_names[(start + k + 1) % len(hidden_names)] for k in range(depth - 1)]
        last = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(loss, activation)
        layers = [*hidden, last]
        case_id = f"{i:02d}-{'-'.join(layers)}-{loss}-{'bias' if bias else 'nobias'}"
        params.append(pytest.param(i, layers, loss, bias, id=case_id))
    return params


def check(analytic: Params, response_layers: list[dict[str, Any]], params: Params) -> None:
    for k, (layer, expected) in enumerate(zip(response_layers, analytic, strict=True)):
        dW = np.array(layer["weights_gradient"])
        assert dW.shape == params[k]["W"].shape
        np.testing.assert_allclose(dW, expected["W"], rtol=1e-6, atol=1e-8, err_msg=f"layer {k + 1} weights")
        if "b" in params[k]:
            db = np.array(layer["bias_gradient"])
            assert db.shape == params[k]["b"].shape
            np.testing.assert_allclose(db, expected["b"], rtol=1e-6, atol=1e-8, err_msg=f"layer {k + 1} bias")
        else:
            assert "bias_gradient" not in layer


@pytest.mark.parametrize(("seed", "activations", "loss", "bias"), cases())
async def test_gradients_match_finite_differences(
    client: httpx.AsyncClient, seed: int, activations: list[str], loss: str, bias: bool
) -> None:
    params, X, Y = random_problem(seed, activations, loss, bias)
    request = body(params, activations, X, Y, loss)

    response = await client.post("/v1/gradients", json=request)
    assert response.status_code == 200, response.text
    data = response.json()
    GradientsResponse.model_validate(data)
    assert data["loss"] == pytest.approx(numpy_loss(params, activations, X, Y, loss), rel=1e-12, abs=1e-15)
    loss_response = await client.post("/v1/loss", json=request)
    assert loss_response.json()["loss"] == pytest.approx(data["loss"], rel=1e-12, abs=1e-15)

    numeric = numeric_gradient(params, lambda p: numpy_loss(p, activations, X, Y, loss))
    check(numeric, data["layers"], params)


async def test_finite_differences_through_the_loss_endpoint(client: httpx.AsyncClient) -> None:
    """The same check with every perturbed loss computed by the service itself (tanh → sigmoid, with bias)."""
    activations, loss = ["tanh", "sigmoid"], "binary_cross_entropy"
    params, X, Y = random_problem(2024, activations, loss, bias=True)
    response = await client.post("/v1/gradients", json=body(params, activations, X, Y, loss))
    assert response.status_code == 200, response.text

    numeric = zeros_like(params)
    for (k, key, index), plus, minus in perturbations(params):
        values = []
        for network in (plus, minus):
            loss_response = await client.post("/v1/loss", json=body(network, activations, X, Y, loss))
            assert loss_response.status_code == 200, loss_response.text
            values.append(loss_response.json()["loss"])
        numeric[k][key][index] = (values[0] - values[1]) / (2 * STEP)
    check(numeric, response.json()["layers"], params)
