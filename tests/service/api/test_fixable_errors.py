"""Errors that say how to fix them (issue 13): each common slip gets one message naming the fix."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

SEED: dict[str, Any] = {
    "network": {"layers": [{"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]}, {"weights": [[0.7], [-0.3]]}]},
    "inputs": [[1.0, 0.5, -1.5]],
    "targets": [[1.0]],
}


async def errors(client: httpx.AsyncClient, path: str, content: str) -> list[dict[str, str]]:
    response = await client.post(path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    found: list[dict[str, str]] = response.json()["errors"]
    return found


async def test_pytorch_style_weights_are_named_transposed_once(client: httpx.AsyncClient) -> None:
    body = {
        **SEED,
        "network": {"layers": [{"weights": [[0.1, 0.4, -0.5], [-0.2, 0.3, 0.2]]}, {"weights": [[0.7, -0.3]]}]},
    }
    [error] = await errors(client, "/v1/gradients", json.dumps(body))
    assert error["pointer"] == "/network/layers/0/weights"
    assert error["message"].startswith(
        "W_1 looks transposed: this service takes W_k as n_{k−1} × n_k (inputs × outputs)"
    )
    assert "W_2ᵀ" in error["message"]


async def test_one_transposed_layer_is_named_without_a_cascade(client: httpx.AsyncClient) -> None:
    body = {**SEED, "network": {"layers": [SEED["network"]["layers"][0], {"weights": [[0.7, -0.3]]}]}}
    [error] = await errors(client, "/v1/gradients", json.dumps(body))
    assert error["pointer"] == "/network/layers/1/weights"
    assert error["message"].startswith("W_2 looks transposed")


async def test_inputs_written_as_a_column_are_one_example_per_row(client: httpx.AsyncClient) -> None:
    [error] = await errors(client, "/v1/gradients", json.dumps({**SEED, "inputs": [[1.0], [0.5], [-1.5]]}))
    assert error["pointer"] == "/inputs"
    assert error["message"].startswith("inputs are one example per row")
    assert "[[1, 0.5, -1.5]]" in error["message"]


@pytest.mark.parametrize(
    ("body", "pointer", "suggestion"),
    [
        (
            {
                **SEED,
                "network": {
                    "layers": [{"weigths": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]}, {"weights": [[0.7], [-0.3]]}]
                },
            },
            "/network/layers/0/weigths",
            "weights",
        ),
        ({"network": SEED["network"], "inputs": SEED["inputs"], "target": [[1.0]]}, "/target", "targets"),
        ({**SEED, "los": "half_squared_error"}, "/los", "loss"),
    ],
    ids=["weigths", "target", "los"],
)
async def test_a_misspelt_field_names_the_right_one(
    client: httpx.AsyncClient, body: dict[str, Any], pointer: str, suggestion: str
) -> None:
    found = await errors(client, "/v1/gradients", json.dumps(body))
    [error] = [error for error in found if error["pointer"] == pointer]
    assert error["message"].endswith(f"did you mean `{suggestion}`?")


async def test_a_list_for_the_network_says_to_write_layers(client: httpx.AsyncClient) -> None:
    body = {**SEED, "network": SEED["network"]["layers"]}
    [error] = await errors(client, "/v1/gradients", json.dumps(body))
    assert error["pointer"] == "/network"
    assert 'write {"layers": [...]}' in error["message"]


async def test_a_340_digit_integer_reads_like_1e999(client: httpx.AsyncClient) -> None:
    text = json.dumps(SEED)
    huge = await errors(
        client, "/v1/gradients", text.replace('"targets": [[1.0]]', '"targets": [[1' + "0" * 340 + "]]")
    )
    infinite = await errors(client, "/v1/gradients", text.replace('"targets": [[1.0]]', '"targets": [[1e999]]'))
    assert huge == infinite
    assert "finite number" in huge[0]["message"]


async def test_null_in_a_claimed_gradient_is_a_missing_number(client: httpx.AsyncClient) -> None:
    body = {**SEED, "claimed_gradients": [[[0.1, None], [0.0, 0.0], [0.0, 0.0]], [[0.0], [0.0]]]}
    [error] = await errors(client, "/v1/gradients/verify", json.dumps(body))
    assert error["pointer"] == "/claimed_gradients/0/0/1"
    assert error["message"].startswith("claimed ∂L/∂W_1, row 0, column 1: a number is missing here")


async def test_a_trailing_slash_names_the_path(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gradients/", json=SEED)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["path"] == "/v1/gradients"
    assert "the path is /v1/gradients, without the trailing slash" in problem["detail"]


async def test_hints_speak_of_the_mathematics_not_of_sources(client: httpx.AsyncClient) -> None:
    claims = [[[0.01302, -0.007045], [0.006509, -0.003522], [-0.01953, 0.01057]], [[0.07174], [0.04003]]]
    response = await client.post("/v1/gradients/verify", json={**SEED, "claimed_gradients": claims})
    hints = [layer["hint"] for layer in response.json()["layers"]]
    assert all("seed" not in hint and "(y − ŷ)" in hint for hint in hints)
