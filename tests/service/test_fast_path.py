"""Regression guard: the fast path (orjson, ``np.array``) and the reference path (pydantic's JSON parser, the
strict per-element validator, ``tolist``) agree on random requests, valid and invalid, bit for bit."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import ValidationError

import gradcore
from service.body import parse_json
from service.problems import pointer
from service.schemas.requests import GradientsRequest
from service.schemas.tensor import FAST, FAST_MIN_LENGTH, fast_context

pytestmark = pytest.mark.anyio
ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]


def number(rng: random.Random) -> float | int:
    """A JSON number of any kind that the service must accept: ints, ±0, subnormals, large and tiny magnitudes."""
    kind = rng.random()
    if kind < 0.1:
        return rng.randint(-5, 5)
    if kind < 0.15:
        return rng.choice([0.0, -0.0, 5e-324, -2.2e-308, 1e15, -3.5e12, 123456789.123456789])
    return rng.uniform(-2, 2) * 10 ** rng.randint(-8, 2) if kind < 0.3 else rng.gauss(0, 1)


def matrix(rng: random.Random, rows: int, cols: int) -> list[list[float | int]]:
    return [[number(rng) for _ in range(cols)] for _ in range(rows)]


def random_request(rng: random.Random) -> dict[str, Any]:
    """A valid gradients request; small and large lists, so that both sides of FAST_MIN_LENGTH are used."""
    sizes = [rng.choice([1, 2, 3, 20, 40]) for _ in range(rng.randint(2, 4))]
    m = rng.choice([1, 3, FAST_MIN_LENGTH, 50])
    layers: list[dict[str, Any]] = []
    for n_in, n_out in itertools.pairwise(sizes):
        layer: dict[str, Any] = {"weights": matrix(rng, n_in, n_out), "activation": rng.choice(ACTIVATIONS)}
        if rng.random() < 0.5:
            layer["bias"] = [number(rng) for _ in range(n_out)]
        layers.append(layer)
    layers[-1]["activation"] = "sigmoid"
    body: dict[str, Any] = {
        "network": {"layers": layers},
        "inputs": matrix(rng, m, sizes[0]),
        "targets": matrix(rng, m, sizes[-1]),
        "loss": rng.choice(["half_squared_error", "mean_squared_error"]),
    }
    if m == 1 and rng.random() < 0.5:
        body["inputs"] = body["inputs"][0]  # the flat form: one example
    return body


def reference_json(request: GradientsRequest) -> Any:
    """The answer as the reference path writes it: gradcore, then ``tolist`` and the standard library."""
    cache = gradcore.forward(request.layers, request.inputs)
    grads = gradcore.backward(request.layers, cache, request.targets, request.loss)
    layers = []
    for Z, A, delta, dW, db in zip(cache.Z, cache.A, grads.delta, grads.dW, grads.db, strict=True):
        layer = {"pre_activation": Z.tolist(), "activation": A.tolist(), "delta": delta.tolist()}
        layer["weights_gradient"] = dW.tolist()
        if db is not None:
            layer["bias_gradient"] = db.tolist()
        layers.append(layer)
    return json.loads(json.dumps({"loss": grads.loss, "output": cache.output.tolist(), "layers": layers}))


def arrays(request: GradientsRequest) -> list[np.ndarray]:
    out = [request.inputs, request.targets]
    for layer in request.layers:
        out += [layer.W] if layer.b is None else [layer.W, layer.b]
    return out


@pytest.mark.parametrize("seed", range(40))
async def test_fast_and_reference_paths_give_identical_json(client: httpx.AsyncClient, seed: int) -> None:
    body = json.dumps(random_request(random.Random(seed))).encode()
    assert fast_context(body) == {FAST: True}
    fast = parse_json(GradientsRequest, body)
    reference = GradientsRequest.model_validate_json(body)  # no context: the strict validator everywhere
    for a, b in zip(arrays(fast), arrays(reference), strict=True):
        assert a.dtype == b.dtype == np.float64
        assert a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    response = await client.post("/v1/gradients", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json() == reference_json(reference)


def reference_errors(body: bytes) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        GradientsRequest.model_validate_json(body)
    return [
        {"pointer": pointer(error["loc"]), "message": error["msg"]}
        for error in caught.value.errors(include_url=False, include_input=False)
    ]


BAD_VALUES = ["true", "false", '"0.5"', '"1e3"', "null", "NaN", "Infinity", "-1e999", "[1.0]", "{}", '"x"']


@pytest.mark.parametrize("seed", range(40))
async def test_an_invalid_element_gets_the_reference_error(client: httpx.AsyncClient, seed: int) -> None:
    """One bad value in a random matrix: the service answers exactly the reference path's errors."""
    rng = random.Random(1000 + seed)
    body = random_request(rng)
    body["inputs"] = matrix(rng, 40, len(body["network"]["layers"][0]["weights"]))  # long enough for the fast path
    body["targets"] = matrix(rng, 40, len(body["network"]["layers"][-1]["weights"][0]))
    name = rng.choice(["inputs", "targets", "weights"])
    rows = body["network"]["layers"][0]["weights"] if name == "weights" else body[name]
    i, j = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
    if rng.random() < 0.2:
        del rows[i][j]  # ragged (or an empty row)
        text = json.dumps(body)
    else:
        rows[i][j] = "__BAD__"
        text = json.dumps(body).replace('"__BAD__"', rng.choice(BAD_VALUES))
    response = await client.post("/v1/gradients", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == reference_errors(text.encode())


@pytest.mark.parametrize("value", ["true", "false"])
async def test_a_boolean_in_a_long_matrix_is_refused(client: httpx.AsyncClient, value: str) -> None:
    """np.array would read a boolean as 1.0 or 0.0; the body scan keeps such a request off the fast path."""
    rows = [[0.5, -0.5] for _ in range(32)]
    body = {"network": {"layers": [{"weights": [[1.0], [2.0]]}]}, "inputs": rows, "targets": [[0.5]] * 32}
    text = json.dumps(body).replace("-0.5]]", f"{value}]]", 1)
    response = await client.post("/v1/gradients", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/inputs/31/1"]


@pytest.mark.parametrize(
    ("body", "fast"),
    [
        (b'{"inputs": [[1.0, 2.0]], "loss": "half_squared_error"}', True),
        (b'{"inputs": [[1.0, true]]}', False),
        (b'{"inputs": [[false, 2.0]]}', False),
        (b'{"inputs": [[1.0]], "note": "true"}', False),  # a string may hold the word: slower, still right
        (b'{"inputs": [[1.0]], "note": "' + b"t" * 5000 + b'"}', False),  # too many to look at: the strict path
        (b'{"inputs": [[1.0]], "note": "' + b"f" * 50 + b'"}', True),
    ],
)
def test_fast_context_allows_the_fast_path_only_without_boolean_literals(body: bytes, fast: bool) -> None:
    assert fast_context(body) == {FAST: fast}
