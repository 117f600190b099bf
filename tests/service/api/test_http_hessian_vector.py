"""``POST /v1/gradients/hessian-vector``: ∇²L · v against central differences of ``/v1/gradients``' exact gradient,
its slope and curvature, the Newton step of docs/teaching.md, its problems and its cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from gradcore import Layer
from service.domain import limits

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PATH = "/v1/gradients/hessian-vector"
EPS = 1e-5


def example() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / "hessian_vector.json").read_text(encoding="utf-8"))
    return body


def random_body(seed: int, loss: str, last: str) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    widths = [3, 4, 2]
    layers = [
        {
            "weights": rng.normal(size=(widths[k], widths[k + 1])).tolist(),
            "bias": rng.normal(size=widths[k + 1]).tolist(),
            "activation": last if k == 1 else "tanh",
        }
        for k in range(2)
    ]
    targets = np.eye(2)[[0, 1, 1]] if loss == "cross_entropy" else rng.uniform(size=(3, 2))
    vector = [
        {
            "weights": rng.normal(size=np.shape(layer["weights"])).tolist(),
            "bias": rng.normal(size=len(layer["bias"])).tolist(),
        }
        for layer in layers
    ]
    return {
        "network": {"layers": layers},
        "inputs": rng.normal(size=(3, 3)).tolist(),
        "targets": targets.tolist(),
        "loss": loss,
        "vector": vector,
    }


def moved(body: dict[str, Any], t: float) -> dict[str, Any]:
    """The gradients request at θ + t v."""
    layers = []
    for layer, part in zip(body["network"]["layers"], body["vector"], strict=True):
        new = {**layer, "weights": (np.array(layer["weights"]) + t * np.array(part["weights"])).tolist()}
        if "bias" in layer:
            new["bias"] = (np.array(layer["bias"]) + t * np.array(part["bias"])).tolist()
        layers.append(new)
    return {key: value for key, value in body.items() if key != "vector"} | {"network": {"layers": layers}}


async def flat_gradient(client: httpx.AsyncClient, body: dict[str, Any]) -> np.ndarray:
    answer = await client.post("/v1/gradients", json=body)
    assert answer.status_code == 200, answer.text
    parts = []
    for layer in answer.json()["layers"]:
        parts += [np.ravel(layer["weights_gradient"]), np.ravel(layer.get("bias_gradient", []))]
    return np.concatenate(parts)


def flat_blocks(layers: list[dict[str, Any]]) -> np.ndarray:
    return np.concatenate(
        [
            np.concatenate(
                [np.ravel(layer["hessian_vector"]["weights"]), np.ravel(layer["hessian_vector"].get("bias", []))]
            )
            for layer in layers
        ]
    )


@pytest.mark.parametrize(
    ("loss", "last"),
    [
        ("half_squared_error", "sigmoid"),
        ("mean_squared_error", "linear"),
        ("binary_cross_entropy", "sigmoid"),
        ("cross_entropy", "softmax"),
    ],
)
async def test_against_central_differences_of_the_gradient(client: httpx.AsyncClient, loss: str, last: str) -> None:
    body = random_body(3, loss, last)
    answer = await client.post(PATH, json=body)
    assert answer.status_code == 200, answer.text
    content = answer.json()
    numeric = (await flat_gradient(client, moved(body, EPS)) - await flat_gradient(client, moved(body, -EPS))) / (
        2 * EPS
    )
    got = flat_blocks(content["layers"])
    assert np.linalg.norm(got - numeric) <= 1e-6 * np.linalg.norm(numeric)
    v = np.concatenate([np.concatenate([np.ravel(p["weights"]), np.ravel(p["bias"])]) for p in body["vector"]])
    gradient = await flat_gradient(client, moved(body, 0.0))
    assert content["slope"] == pytest.approx(gradient @ v, rel=1e-12)
    assert content["curvature"] == pytest.approx(numeric @ v, rel=1e-6)
    for layer, gradient_layer in zip(
        content["layers"], (await client.post("/v1/gradients", json=moved(body, 0.0))).json()["layers"], strict=True
    ):
        np.testing.assert_allclose(layer["weights_gradient"], gradient_layer["weights_gradient"], rtol=1e-12)


async def test_the_newton_step_of_the_teaching_page(client: httpx.AsyncClient) -> None:
    """docs/teaching.md: t = −slope/curvature ≈ 1.877 takes L from 0.0811 to about 0.0082."""
    body = example()
    content = (await client.post(PATH, json=body)).json()
    t = -content["slope"] / content["curvature"]
    assert t == pytest.approx(1.877, abs=1e-3)
    after = (await client.post("/v1/loss", json=moved(body, t))).json()["loss"]
    assert after == pytest.approx(0.0082, abs=5e-5)
    assert after < content["loss"] - content["slope"] ** 2 / (2 * content["curvature"])  # below the model's


async def test_seed_case_5_one_layer_closed_form(client: httpx.AsyncClient) -> None:
    """One sigmoid layer, one example: ∇²L = ((σ′)² + (ŷ − y) σ″) xᵀx with σ″ = σ′ (1 − 2ŷ)."""
    x, w, y = np.array([[1.0, 0.5, -1.5]]), np.array([[0.1], [0.4], [-0.5]]), 1.0
    v = np.array([[1.0], [-2.0], [0.5]])
    body = {
        "network": {"layers": [{"weights": w.tolist()}]},
        "inputs": x.tolist(),
        "targets": y,
        "vector": [{"weights": v.tolist()}],
        "include": ["hessian_vector"],
    }
    y_hat = 1 / (1 + np.exp(-(x @ w).item()))
    s1 = y_hat * (1 - y_hat)
    H = (s1**2 + (y_hat - y) * s1 * (1 - 2 * y_hat)) * (x.T @ x)
    content = (await client.post(PATH, json=body)).json()
    assert list(content) == ["layers"]
    np.testing.assert_allclose(content["layers"][0]["hessian_vector"]["weights"], H @ v, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda b: b["vector"][1].update(weights=[[1.0, 2.0]]), "/vector/1/weights", "1 × 2 but W_2 is 2 × 1"),
        (lambda b: b["vector"].pop(), "/vector", "1 entries, one per layer, but the network has 2 layers"),
        (lambda b: b["vector"][0].update(bias=[1.0, 2.0]), "/vector/0/bias", "layer 1 has no bias b_1"),
        (lambda b: b["network"]["layers"][0].update(bias=[0.0, 0.0]), "/vector/0/bias", "needs v_1: 2 numbers"),
        (lambda b: b["vector"][0].update(weights=[1.0, 2.0]), "/vector/0/weights", "flat list of 2 numbers"),
        (lambda b: b.pop("vector"), "/vector", "required"),
    ],
)
async def test_a_wrong_vector_is_a_422_naming_the_field_and_the_shapes(
    client: httpx.AsyncClient, change: Any, pointer: str, words: str
) -> None:
    body = example()
    change(body)
    answer = await client.post(PATH, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["pointer"] == pointer
    assert words in error["message"]


def test_a_product_costs_about_two_gradients() -> None:
    rng = np.random.default_rng(0)
    layers = [
        Layer(W=rng.normal(size=(64, 256))),
        Layer(W=rng.normal(size=(256, 256))),
        Layer(W=rng.normal(size=(256, 10))),
    ]
    # one example: the answers hold the parameters' numbers (the gradient; the gradient and ∇²L·v), not m × Σ n_k
    hessian = limits.cost("hessian_vector", layers, 1)
    gradients = limits.cost("gradients", layers, 1)
    assert 1.5 <= hessian.work / gradients.work <= 2.5
    assert hessian.bytes > gradients.bytes
