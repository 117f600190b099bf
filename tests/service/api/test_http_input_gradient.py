"""``POST /v1/gradients`` answers ∂L/∂X (``input_gradient``, m × n_0) when, and only when, ``include`` names it."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

import gradcore
from gradcore import Layer

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EPS = 1e-6


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return body


def central_differences(body: dict[str, Any]) -> np.ndarray:
    """∂L/∂X by central differences of the loss, computed with gradcore's forward pass and loss only."""
    layers = [Layer(W=np.atleast_2d(np.array(spec["weights"], dtype=float))) for spec in body["network"]["layers"]]
    X = np.atleast_2d(np.array(body["inputs"], dtype=float))
    Y = np.array(body["targets"], dtype=float).reshape(X.shape[0], -1)
    grad = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[index] += EPS
        down[index] -= EPS
        difference = gradcore.loss(layers, gradcore.forward(layers, up), Y) - gradcore.loss(
            layers, gradcore.forward(layers, down), Y
        )
        grad[index] = difference / (up[index] - down[index])
    return grad


@pytest.mark.parametrize("name", ["seed_case_1.json", "seed_case_3.json", "seed_case_5.json", "seed_case_6.json"])
async def test_named_in_include_it_is_the_central_difference(client: httpx.AsyncClient, name: str) -> None:
    body = example(name)
    answer = await client.post("/v1/gradients", json={**body, "include": ["loss", "layers", "input_gradient"]})
    assert answer.status_code == 200, answer.text
    content = answer.json()
    assert list(content) == ["loss", "layers", "input_gradient"]
    numeric = central_differences(body)
    assert np.array(content["input_gradient"]).shape == numeric.shape  # m × n_0, the shape of X
    np.testing.assert_allclose(content["input_gradient"], numeric, rtol=1e-6, atol=1e-10)


async def test_seed_case_5_is_delta_1_times_w_1_transposed(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/gradients", json={**example("seed_case_5.json"), "include": ["input_gradient"]})
    assert list(answer.json()) == ["input_gradient"]
    full = (await client.post("/v1/gradients", json=example("seed_case_5.json"))).json()
    W1 = np.array(example("seed_case_5.json")["network"]["layers"][0]["weights"])
    expected = np.array(full["layers"][0]["delta"]) @ W1.T  # (1 × 2) · (2 × 3) = 1 × 3
    np.testing.assert_allclose(answer.json()["input_gradient"], expected, rtol=1e-12)


async def test_absent_unless_named(client: httpx.AsyncClient) -> None:
    body = example("seed_case_5.json")
    assert "input_gradient" not in (await client.post("/v1/gradients", json=body)).json()
    answer = await client.post("/v1/gradients", json={**body, "include": ["loss", "weights_gradient"]})
    assert "input_gradient" not in answer.json()


async def test_as_a_compact_tensor(client: httpx.AsyncClient) -> None:
    body = {**example("seed_case_6.json"), "include": ["input_gradient"], "encoding": "base64"}
    tensor = (await client.post("/v1/gradients", json=body)).json()["input_gradient"]
    assert tensor["shape"] == [4, 3]
    values = np.frombuffer(base64.b64decode(tensor["data"]), "<f8").reshape(4, 3)
    np.testing.assert_allclose(values, central_differences(example("seed_case_6.json")), rtol=1e-6, atol=1e-10)


async def test_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert "input_gradient" in schema["GradientsResponse"]["properties"]
