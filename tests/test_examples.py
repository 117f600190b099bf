"""Every request in examples/ is posted, and its answer is the closed form that the seed notes give for it.

seed_case_1 … seed_case_6.json are the six cases of the seed series (sigmoid layers, no bias,
L = Σ ½ (y − ŷ)²); each answer is compared with that case's own formula, written out here, and the
gradient check passes on it. verify_wrong_sign.json is checked in tests/service/test_verify.py;
verify_rounded.json, transposed_weights.json and check_coarse_epsilon.json, the teaching page's, are
case 5 as the page describes them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.examples import SEED_TWO_LAYER, SEED_WRONG_SIGN
from service.app import create_app

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RTOL = 1e-12


def sig(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(u, dtype=float)))


def load(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return body


@pytest.fixture
async def client(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://test") as http:
        yield http


async def gradients(client: httpx.AsyncClient, name: str) -> tuple[dict[str, Any], list[np.ndarray]]:
    body = load(name)
    response = await client.post("/v1/gradients", json=body)
    assert response.status_code == 200, response.text
    check = await client.post("/v1/gradients/check", json=body)
    assert check.status_code == 200, check.text
    assert check.json()["passed"] is True
    assert [layer["rating"] for layer in check.json()["layers"]] == ["fine"] * len(body["network"]["layers"])
    return body, [np.array(layer["weights_gradient"]) for layer in response.json()["layers"]]


def weights(body: dict[str, Any]) -> list[np.ndarray]:
    return [np.atleast_2d(np.array(layer["weights"], dtype=float)) for layer in body["network"]["layers"]]


async def test_case_1_scalar(client: httpx.AsyncClient) -> None:
    """∂L/∂w = (ŷ − y) ŷ (1 − ŷ) x, with x, w, y scalars."""
    body, (dW,) = await gradients(client, "seed_case_1.json")
    x, w, y = body["inputs"], body["network"]["layers"][0]["weights"], body["targets"]
    y_hat = 1.0 / (1.0 + np.exp(-x * w))
    assert dW.shape == (1, 1)
    assert dW[0, 0] == pytest.approx((y_hat - y) * y_hat * (1 - y_hat) * x, rel=RTOL)


async def test_case_2_n_inputs(client: httpx.AsyncClient) -> None:
    """∂L/∂W_i = (ŷ − y) ŷ (1 − ŷ) x_i: xᵀ · ((ŷ − y) ŷ (1 − ŷ)), n × 1."""
    body, (dW,) = await gradients(client, "seed_case_2.json")
    x, (W,), y = body["inputs"], weights(body), body["targets"]
    y_hat = float(sig(sum(x_i * W[i, 0] for i, x_i in enumerate(x))))
    assert dW.shape == (len(x), 1)
    np.testing.assert_allclose(dW[:, 0], [(y_hat - y) * y_hat * (1 - y_hat) * x_i for x_i in x], rtol=RTOL)


async def test_case_3_batch_sums_the_per_example_gradients(client: httpx.AsyncClient) -> None:
    """∂L/∂W = Xᵀ · ((ŷ − y) * ŷ * (1 − ŷ)): the sum over the rows of the case-2 gradient of each example."""
    body, (dW,) = await gradients(client, "seed_case_3.json")
    X, (W,), Y = np.array(body["inputs"]), weights(body), np.array(body["targets"])
    per_example = []
    for x, y in zip(X, Y, strict=True):
        y_hat = float(sig(x @ W[:, 0]))
        per_example.append([(y_hat - y) * y_hat * (1 - y_hat) * x_i for x_i in x])
    assert dW.shape == (X.shape[1], 1)
    np.testing.assert_allclose(dW[:, 0], np.sum(per_example, axis=0), rtol=RTOL)


async def test_case_4_one_hidden_node(client: httpx.AsyncClient) -> None:
    """Chain rule through the hidden h = σ(x · W_1), 1 × 1: ∂L/∂W_2 = h Δ_2, ∂L/∂W_1 = xᵀ Δ_2 w_2 h (1 − h)."""
    body, (dW1, dW2) = await gradients(client, "seed_case_4.json")
    x, (W1, W2), y = np.array(body["inputs"]), weights(body), body["targets"]
    h = float(sig(x @ W1[:, 0]))
    w2 = W2[0, 0]
    y_hat = float(sig(h * w2))
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    assert dW2.shape == (1, 1)
    assert dW2[0, 0] == pytest.approx(h * delta2, rel=RTOL)
    assert dW1.shape == (3, 1)
    np.testing.assert_allclose(dW1[:, 0], x * delta2 * w2 * h * (1 - h), rtol=RTOL)


async def test_case_5_two_hidden_nodes(client: httpx.AsyncClient) -> None:
    """Δ_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1), ∂L/∂W_1 = xᵀ · Δ_1 (3 × 2), ∂L/∂W_2 = l_1ᵀ · Δ_2 (2 × 1)."""
    body, (dW1, dW2) = await gradients(client, "seed_case_5.json")
    assert body == SEED_TWO_LAYER
    x, (W1, W2), y = np.array([body["inputs"]]), weights(body), body["targets"]
    l1 = sig(x @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    np.testing.assert_allclose(dW2, l1.T @ delta2, rtol=RTOL)
    np.testing.assert_allclose(dW1, x.T @ ((delta2 @ W2.T) * l1 * (1 - l1)), rtol=RTOL)


async def test_case_6_general_formulas(client: httpx.AsyncClient) -> None:
    """n → h → k with a batch: each entry of ∂L/∂W_k as an explicit sum over the examples, no matrix products."""
    body, (dW1, dW2) = await gradients(client, "seed_case_6.json")
    X, (W1, W2), Y = np.array(body["inputs"]), weights(body), np.array(body["targets"])
    (m, n), h, k = X.shape, W1.shape[1], W2.shape[1]
    l1 = sig(X @ W1)
    y_hat = sig(l1 @ W2)
    d2 = (y_hat - Y) * y_hat * (1 - y_hat)
    expected2 = [[sum(l1[i, a] * d2[i, b] for i in range(m)) for b in range(k)] for a in range(h)]
    d1 = [[sum(d2[i, b] * W2[a, b] for b in range(k)) * l1[i, a] * (1 - l1[i, a]) for a in range(h)] for i in range(m)]
    expected1 = [[sum(X[i, j] * d1[i][a] for i in range(m)) for a in range(h)] for j in range(n)]
    assert (dW1.shape, dW2.shape) == ((n, h), (h, k))
    np.testing.assert_allclose(dW2, expected2, rtol=RTOL)
    np.testing.assert_allclose(dW1, expected1, rtol=RTOL)


def test_the_wrong_sign_example_is_the_documented_one() -> None:
    """examples/verify_wrong_sign.json is the example on /docs; tests/service/test_verify.py posts it."""
    assert load("verify_wrong_sign.json") == SEED_WRONG_SIGN


def case_5_gradients() -> list[np.ndarray]:
    """∂L/∂W_1 and ∂L/∂W_2 of case 5, from the closed form."""
    x, (W1, W2), y = np.array([SEED_TWO_LAYER["inputs"]]), weights(SEED_TWO_LAYER), SEED_TWO_LAYER["targets"]
    l1 = sig(x @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    return [x.T @ ((delta2 @ W2.T) * l1 * (1 - l1)), l1.T @ delta2]


def test_the_teaching_page_examples_are_case_5_as_described() -> None:
    """verify_rounded: the true gradients to 3 digits; transposed_weights: W_kᵀ; check_coarse_epsilon: ε = 1e-2."""
    case_5 = {key: SEED_TWO_LAYER[key] for key in ("network", "inputs", "targets", "loss")}
    rounded = load("verify_rounded.json")
    claims = rounded.pop("claimed_gradients")
    assert {key: value for key, value in rounded.items() if key != "include"} == case_5
    for claim, true in zip(claims, case_5_gradients(), strict=True):
        assert claim == [[float(f"{value:.3g}") for value in row] for row in true.tolist()]
    transposed = load("transposed_weights.json")
    assert all(np.array_equal(a, b.T) for a, b in zip(weights(transposed), weights(case_5), strict=True))
    assert {**transposed, "network": case_5["network"]} == case_5
    coarse = load("check_coarse_epsilon.json")
    assert coarse.pop("epsilon") == 1e-2
    assert {key: value for key, value in coarse.items() if key != "include"} == case_5


async def test_the_rounded_claim_is_correct_and_the_transposed_weights_are_named(client: httpx.AsyncClient) -> None:
    verdicts = (await client.post("/v1/gradients/verify", json=load("verify_rounded.json"))).json()
    assert [(layer["verdict"], layer["rounded_to"]) for layer in verdicts["layers"]] == [("correct", 3)] * 2
    response = await client.post("/v1/gradients", json=load("transposed_weights.json"))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/network/layers/0/weights"
    assert error["message"].startswith("W_1 looks transposed: this service takes W_k as n_{k−1} × n_k")
