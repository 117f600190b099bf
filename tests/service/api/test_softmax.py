"""softmax and cross_entropy over HTTP: the answer against the definitions, and a clear 422 for every misuse."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import numpy as np
import pytest

pytestmark = pytest.mark.anyio

# 2 examples, 2 inputs → 3 tanh units → 3 softmax outputs; one one-hot and one probability target row.
BODY: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2, 0.3], [0.4, 0.3, -0.1]], "activation": "tanh"},
            {"weights": [[0.7, -0.1, 0.2], [-0.3, 0.5, 0.1], [0.2, 0.2, -0.6]], "activation": "softmax"},
        ]
    },
    "inputs": [[1.0, 0.5], [-1.0, 2.0]],
    "targets": [[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]],
    "loss": "cross_entropy",
}


def body_with(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = body
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return body


async def test_cross_entropy_gradients_are_the_definitions(client: httpx.AsyncClient) -> None:
    W1, W2 = (np.array(layer["weights"]) for layer in BODY["network"]["layers"])
    X, Y = np.array(BODY["inputs"]), np.array(BODY["targets"])
    l1 = np.tanh(X @ W1)
    z2 = l1 @ W2
    y_hat = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    m = X.shape[0]
    loss = -np.sum(Y * np.log(y_hat)) / m
    delta2 = (y_hat - Y) / m
    delta1 = (delta2 @ W2.T) * (1 - l1**2)

    response = await client.post("/v1/gradients", json=BODY)

    assert response.status_code == 200, response.text
    data = response.json()
    assert data["loss"] == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(data["output"], y_hat, rtol=1e-13)
    np.testing.assert_allclose(np.sum(data["output"], axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(data["layers"][1]["delta"], delta2, rtol=1e-12)
    np.testing.assert_allclose(data["layers"][1]["weights_gradient"], l1.T @ delta2, rtol=1e-12)
    np.testing.assert_allclose(data["layers"][0]["weights_gradient"], X.T @ delta1, rtol=1e-12)


async def test_softmax_with_half_squared_error_is_allowed(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gradients", json=body_with(loss="half_squared_error"))
    assert response.status_code == 200, response.text


INVALID = {
    "softmax-hidden": (
        body_with(network__layers__0__activation="softmax"),
        "/network/layers/0/activation",
        "allowed only in the last layer (layer 2)",
    ),
    "softmax-one-output": (
        body_with(network__layers__1__weights=[[0.7], [-0.3], [0.2]], targets=[[1.0], [1.0]]),
        "/network/layers/1/activation",
        "n_2 = 1 output is always 1",
    ),
    "cross-entropy-after-sigmoid": (
        body_with(network__layers__1__activation="sigmoid"),
        "/network/layers/1/activation",
        "loss cross_entropy needs a softmax last layer but layer 2 activation is sigmoid",
    ),
    "binary-cross-entropy-after-softmax": (
        body_with(loss="binary_cross_entropy"),
        "/network/layers/1/activation",
        "loss binary_cross_entropy needs a sigmoid last layer",
    ),
    "negative-target": (body_with(targets=[[1.5, -0.5, 0.0], [0.2, 0.3, 0.5]]), "/targets", "y[0, 1] < 0"),
    "row-not-summing-to-1": (
        body_with(targets=[[0.0, 1.0, 0.0], [0.2, 0.3, 0.6]]),
        "/targets",
        "row 1 sums to 1.1",
    ),
}


@pytest.mark.parametrize(("body", "pointer", "text"), INVALID.values(), ids=list(INVALID))
@pytest.mark.parametrize("path", ["/v1/gradients", "/v1/gradients/check"])
async def test_misuse_is_422(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], pointer: str, text: str
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/invalid-request"
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
    assert text in problem["errors"][0]["message"]
    assert text in problem["detail"]


async def test_forward_rejects_a_hidden_softmax_too(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/forward", json=body_with(network__layers__0__activation="softmax"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/network/layers/0/activation"
