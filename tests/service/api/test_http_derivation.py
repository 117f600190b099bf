"""``POST /v1/derivation``: the same numbers as /v1/gradients, the seed's equations, Markdown on request."""

from __future__ import annotations

import ast
import copy
import re
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.derivation import DerivationResponse
from service.api.schemas.examples import SEED_TWO_LAYER

pytestmark = pytest.mark.anyio

# X is 2 × 3, W_1 is 3 × 2 (tanh, bias), W_2 is 2 × 2 (relu), W_3 is 2 × 1 (sigmoid).
DEEP: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], "activation": "tanh", "bias": [0.1, -0.1]},
            {"weights": [[0.7, -0.4], [-0.3, 0.9]], "activation": "relu"},
            {"weights": [[0.5], [-0.6]], "activation": "sigmoid", "bias": [0.05]},
        ]
    },
    "inputs": [[1.0, 0.5, -1.5], [0.0, 2.0, 1.0]],
    "targets": [[1.0], [0.0]],
    "loss": "binary_cross_entropy",
}
BODIES = {"seed-case-5": SEED_TWO_LAYER, "three-layers-batch-bias": DEEP}


def sig(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(u, dtype=float)))


async def derivation(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = await client.post("/v1/derivation", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    DerivationResponse.model_validate(data)
    assert set(data) == {"steps"}
    return data


@pytest.mark.parametrize("body", BODIES.values(), ids=list(BODIES))
async def test_values_equal_those_of_gradients(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    steps = (await derivation(client, body))["steps"]
    gradients = (await client.post("/v1/gradients", json=body)).json()
    L = len(body["network"]["layers"])
    seen = set()
    for step in steps:
        assert step["kind"] != "loss" or step["value"] == gradients["loss"]
        if step["kind"] != "loss":
            assert step["value"] == gradients["layers"][step["layer"] - 1][step["kind"]], step["symbol"]
            seen.add((step["kind"], step["layer"]))
        assert list(np.shape(step["value"])) == step["shapes"]["result"]
    for k, layer in enumerate(gradients["layers"], start=1):
        assert {(kind, k) for kind in layer} <= seen
    assert len(steps) == 2 * L + 1 + 2 * L + sum("bias" in layer for layer in body["network"]["layers"])


async def test_the_seed_case_5_derivation(client: httpx.AsyncClient) -> None:
    """The equations of the seed notes, with values from their closed forms."""
    steps = (await derivation(client, SEED_TWO_LAYER))["steps"]
    assert [step["equation"] for step in steps] == [
        "z_1 = X · W_1",
        "l_1 = σ(z_1)",
        "z_2 = l_1 · W_2",
        "ŷ = l_2 = σ(z_2)",
        "L = Σ ½ (y − ŷ)²",
        "Δ_2 = ∂L/∂z_2 = (ŷ − y) * ŷ * (1 − ŷ)",
        "∂L/∂W_2 = l_1ᵀ · Δ_2",
        "Δ_1 = ∂L/∂z_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1)",
        "∂L/∂W_1 = Xᵀ · Δ_1",
    ]
    x, y = np.array([SEED_TWO_LAYER["inputs"]]), SEED_TWO_LAYER["targets"]
    W1, W2 = (np.array(layer["weights"]) for layer in SEED_TWO_LAYER["network"]["layers"])
    l1 = sig(x @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    expected = [x @ W1, l1, l1 @ W2, y_hat, 0.5 * (y - y_hat[0, 0]) ** 2, delta2, l1.T @ delta2, delta1, x.T @ delta1]
    for step, value in zip(steps, expected, strict=True):
        np.testing.assert_allclose(step["value"], value, rtol=1e-12)
    w1_gradient = steps[-1]["shapes"]
    assert w1_gradient == {
        "operands": [{"name": "Xᵀ", "shape": [3, 1]}, {"name": "Δ_1", "shape": [1, 2]}],
        "result": [3, 2],
        "check": "(3 × 1) · (1 × 2) = 3 × 2",
    }
    assert steps[4]["layer"] is None
    assert steps[4]["shapes"]["result"] == []


async def test_a_scalar_network_gives_matrices_and_a_number(client: httpx.AsyncClient) -> None:
    """The seed's case 1: w, x and y are numbers; every matrix comes back 1 × 1, the loss a number."""
    steps = (await derivation(client, {"network": {"layers": [{"weights": 0.3}]}, "inputs": 2.0, "targets": 1.0}))[
        "steps"
    ]
    assert [step["symbol"] for step in steps] == ["z_1", "ŷ", "L", "Δ_1", "∂L/∂W_1"]
    assert isinstance(steps[2]["value"], float)
    y_hat = sig(0.6)
    assert steps[-1]["value"] == [[pytest.approx((y_hat - 1.0) * y_hat * (1 - y_hat) * 2.0, rel=1e-12)]]


@pytest.mark.parametrize("body", BODIES.values(), ids=list(BODIES))
async def test_markdown_is_the_same_derivation(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    steps = (await derivation(client, body))["steps"]
    response = await client.post("/v1/derivation", json=body, headers={"accept": "text/markdown"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    text = response.text
    assert text.startswith("# Backpropagation, step by step\n")
    assert re.findall(r"^## (.*)$", text, flags=re.MULTILINE) == ["Given", "Forward pass", "Loss", "Backward pass"]
    headings = re.findall(r"^### (\d+)\. (.*)$", text, flags=re.MULTILINE)
    assert headings == [(str(number), step["symbol"]) for number, step in enumerate(steps, start=1)]
    given, *blocks = re.findall(r"```text\n(.*?)\n```", text, flags=re.DOTALL)
    assert given.startswith("X = ")
    assert len(blocks) == len(steps)
    for step, block in zip(steps, blocks, strict=True):
        lines = block.splitlines()
        assert lines[0] == step["equation"]  # each equation once, its numbers below it
        assert text.count("\n" + step["equation"] + "\n") == 1
        assert f"Shapes: `{step['shapes']['check']}`" in text
        result = ast.literal_eval(lines[-1].strip().removeprefix("= "))
        np.testing.assert_allclose(result, step["value"], rtol=5e-6, atol=1e-12)  # 6 significant digits


async def test_markdown_header_names_the_network(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/derivation", json=DEEP, headers={"accept": "text/markdown"})
    assert "Network 3 → 2 → 2 → 1 (tanh, relu, sigmoid), m = 2 examples, loss binary_cross_entropy." in response.text


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/markdown"),
        ("text/markdown;q=0.5, application/json", "application/json"),
        ("text/markdown, application/json;q=0.9", "text/markdown"),
        ("application/json;q=0, */*", "text/markdown"),
        ("text/html, text/markdown;q=0.1", "text/markdown"),
        ("TEXT/Markdown", "text/markdown"),
        ("text/markdown;q=oops, application/json;q=0.2", "application/json"),
    ],
)
async def test_accept_header_chooses_the_format(client: httpx.AsyncClient, accept: str, media_type: str) -> None:
    response = await client.post("/v1/derivation", json=SEED_TWO_LAYER, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize("accept", ["text/html", "application/xml, image/*", "text/markdown;q=0, application/json;q=0"])
async def test_an_unacceptable_accept_header_is_a_406_problem(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.post("/v1/derivation", json=SEED_TWO_LAYER, headers={"accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/not-acceptable"
    assert "text/markdown" in problem["detail"]


async def test_invalid_requests_are_422_like_gradients(client: httpx.AsyncClient) -> None:
    body = copy.deepcopy(SEED_TWO_LAYER)
    body["network"]["layers"][1]["weights"] = [[0.7], [-0.3], [0.1]]
    for accept in ("application/json", "text/markdown"):
        response = await client.post("/v1/derivation", json=body, headers={"accept": accept})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        (error,) = response.json()["errors"]
        assert error["pointer"] == "/network/layers/1/weights"
        assert "3 × 1" in error["message"]
    response = await client.post("/v1/derivation", json={**SEED_TWO_LAYER, "steps": 3})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/steps"


async def test_the_documented_example_posts(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/derivation"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["example"] == SEED_TWO_LAYER
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/markdown"}
    assert "406" in operation["responses"]
    await derivation(client, operation["requestBody"]["content"]["application/json"]["example"])
