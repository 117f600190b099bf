"""Hostile input, table-driven: every case gets its 4xx problem, a small answer, and the app still serves.

Limits are tested on an app with small limits, so that each body stays a few kilobytes; the
malicious bodies (deep nesting, a million bad elements, megabyte keys) are sent to an app with the
default settings. After every case the same app must still compute the seed's case 5 correctly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

PROBLEM_JSON = "application/problem+json"
LIMIT = "/problems/limit-exceeded"
INVALID = "/problems/invalid-request"
MALFORMED = "/problems/malformed-json"
JSON = {"content-type": "application/json"}
MAX_ANSWER = 4096
"""No error answer is longer than this, whatever the request: errors never echo the input."""

SMALL = Settings(
    max_body_bytes=20_000,
    max_numbers=1000,
    max_layers=5,
    max_width=50,
    max_batch=40,
    max_activations=2000,
    max_work=5000,
    max_train_work=1000,
    max_check_work=700,  # the check within its budget (m = 3) needs 612, the refused one (m = 4) 816
)
APPS = {"small": create_app(SMALL), "default": create_app(Settings())}


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def network(*shapes: tuple[int, int], activation: str = "sigmoid") -> dict[str, Any]:
    """A network whose W_k have the given shapes (n_{k−1}, n_k), every weight 0.01."""
    return {"layers": [{"weights": [[0.01] * cols] * rows, "activation": activation} for rows, cols in shapes]}


def request(inputs: tuple[int, int], *shapes: tuple[int, int]) -> dict[str, Any]:
    """A request with X of shape ``inputs`` (m × n_0), W_k of ``shapes`` and Y of shape m × n_L."""
    m, n_0 = inputs
    return {
        "network": network(*shapes),
        "inputs": [[0.5] * n_0] * m,
        "targets": [[1.0] * shapes[-1][1]] * m,
    }


def with_token(path: tuple[str | int, ...], token: str) -> bytes:
    """The seed request as JSON text with the value at ``path`` replaced by a raw token such as NaN."""
    body = json.loads(json.dumps(SEED_TWO_LAYER))
    parent = body
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = "__TOKEN__"
    return json.dumps(body).replace('"__TOKEN__"', token).encode()


def padded(size: int) -> bytes:
    """The seed request, valid JSON, padded with spaces to ``size`` bytes."""
    text = json.dumps(SEED_TWO_LAYER).encode()
    return text + b" " * (size - len(text))


@dataclass(frozen=True)
class Case:
    body: Any = None
    content: bytes | None = None
    app: str = "small"
    path: str = "/v1/gradients"
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    chunked: bool = False
    status: int = 422
    type: str = INVALID
    limit: str | None = None
    pointer: str | None = None


CASES = {
    # Limits, on the app with small limits.
    "body-bytes-content-length": Case(content=padded(25_000), status=413, type=LIMIT, limit="max_body_bytes"),
    "body-bytes-chunked": Case(content=padded(25_000), chunked=True, status=413, type=LIMIT, limit="max_body_bytes"),
    "numbers-counted": Case(request((40, 30), (30, 1)), status=413, type=LIMIT, limit="max_numbers", pointer=""),
    "numbers-screened": Case({**SEED_TWO_LAYER, "inputs": [0] * 3000}, status=413, type=LIMIT, limit="max_numbers"),
    "layers": Case(request((1, 1), *[(1, 1)] * 6), type=LIMIT, limit="max_layers"),
    "layers-of-junk": Case({**SEED_TWO_LAYER, "network": {"layers": [{}] * 200}}, type=LIMIT, limit="max_layers"),
    "width-inputs": Case(request((1, 60), (60, 1)), type=LIMIT, limit="max_width", pointer="/inputs"),
    "width-layer": Case(
        request((1, 1), (1, 60), (60, 1)), type=LIMIT, limit="max_width", pointer="/network/layers/0/weights"
    ),
    "batch": Case(request((50, 1), (1, 1)), type=LIMIT, limit="max_batch", pointer="/inputs"),
    "activations": Case(
        request((40, 1), (1, 50), (50, 1)), type=LIMIT, limit="max_activations", pointer="/inputs"
    ),  # m × Σ n_k = 40 × 51 = 2040 > 2000
    "work": Case(request((10, 20), (20, 30), (30, 1)), type=LIMIT, limit="max_work"),  # 10 × (600 + 30) > 5000
    # steps × parameters × m = 200 × 8 × 1 > 1000
    "train-work": Case({**SEED_TWO_LAYER, "steps": 200}, path="/v1/train", type=LIMIT, limit="max_train_work"),
    # 2 × parameters × m × Σ n_{k−1}·n_k = 2 × 18 × 4 × 18 > 2000
    "check-work": Case(request((4, 5), (5, 3), (3, 1)), path="/v1/gradients/check", type=LIMIT, limit="max_check_work"),
    "many-unknown-members": Case({**SEED_TWO_LAYER, **{f"k{i}": 0 for i in range(200)}}),
    # Malicious bodies, on the app with the default limits.
    "nested-50000-arrays": Case(
        content=b'{"inputs": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", app="default", status=400, type=MALFORMED
    ),
    "nested-50000-objects": Case(
        content=b'{"a":' * 50_000 + b"0" + b"}" * 50_000, app="default", type=LIMIT, limit="max_layers"
    ),
    "NaN": Case(content=with_token(("inputs", 1), "NaN"), app="default", pointer="/inputs/1"),
    "Infinity": Case(
        content=with_token(("network", "layers", 0, "weights", 2, 1), "Infinity"),
        app="default",
        pointer="/network/layers/0/weights/2/1",
    ),
    "-Infinity": Case(content=with_token(("targets",), "-Infinity"), app="default", pointer="/targets"),
    "1e999": Case(content=with_token(("inputs", 0), "1e999"), app="default", pointer="/inputs/0"),
    "-1e999": Case(
        content=with_token(("network", "layers", 1, "weights", 1, 0), "-1e999"),
        app="default",
        pointer="/network/layers/1/weights/1/0",
    ),
    "400-digit-integer": Case(content=with_token(("inputs", 2), "1" + "0" * 400), app="default", pointer="/inputs/2"),
    "string-for-number": Case({**SEED_TWO_LAYER, "inputs": [1.0, "0.5", -1.5]}, app="default", pointer="/inputs/1"),
    "boolean-for-number": Case({**SEED_TWO_LAYER, "targets": True}, app="default", pointer="/targets"),
    "null-for-number": Case({**SEED_TWO_LAYER, "inputs": [1.0, 0.5, None]}, app="default", pointer="/inputs/2"),
    "a-million-bad-elements": Case({**SEED_TWO_LAYER, "inputs": ["x"] * 1_000_000}, app="default", pointer="/inputs/0"),
    "a-million-nulls-in-weights": Case(
        {**SEED_TWO_LAYER, "network": {"layers": [{"weights": [[None] * 1_000_000]}]}},
        app="default",
        pointer="/network/layers/0/weights/0/0",
    ),
    "megabyte-unknown-key": Case({**SEED_TWO_LAYER, "k" * 1_000_000: 1}, app="default"),
    "megabyte-activation-name": Case(
        {**SEED_TWO_LAYER, "network": {"layers": [{"weights": 1.0, "activation": "s" * 1_000_000}]}},
        app="default",
        pointer="/network/layers/0/activation",
    ),
    # Protocol.
    "wrong-method": Case(method="GET", app="default", status=405, type="about:blank"),
    "unknown-path": Case(SEED_TWO_LAYER, path="/v1/gradient", app="default", status=404, type="about:blank"),
    "not-json": Case(
        content=b"inputs=1", headers={"content-type": "text/plain"}, status=415, type="/problems/unsupported-media-type"
    ),
    "megabyte-content-type": Case(
        content=b"{}",
        headers={"content-type": "application/x-" + "a" * 1_000_000},
        app="default",
        status=415,
        type="/problems/unsupported-media-type",
    ),
}


def strict_json(text: str) -> Any:
    """Parse strict JSON (RFC 8259): NaN, Infinity and -Infinity are refused."""

    def refuse(token: str) -> None:
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


async def chunks(content: bytes, size: int = 1024) -> AsyncIterator[bytes]:
    """The content in pieces, sent with ``Transfer-Encoding: chunked`` (no ``Content-Length``)."""
    for start in range(0, len(content), size):
        yield content[start : start + size]


async def still_serves(http: httpx.AsyncClient) -> None:
    """The seed's case 5 still gets its answer: ŷ = σ(σ(x · W_1) · W_2), L = ½ (y − ŷ)²."""
    response = await http.post("/v1/gradients", json=SEED_TWO_LAYER)
    assert response.status_code == 200, response.text
    x = np.array([SEED_TWO_LAYER["inputs"]])
    W1, W2 = (np.array(layer["weights"]) for layer in SEED_TWO_LAYER["network"]["layers"])
    y_hat = sigmoid(sigmoid(x @ W1) @ W2)
    data = response.json()
    np.testing.assert_allclose(data["output"], y_hat, rtol=1e-12)
    assert data["loss"] == pytest.approx(0.5 * float((SEED_TWO_LAYER["targets"] - y_hat[0, 0]) ** 2), rel=1e-12)


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
async def test_hostile_request_gets_a_small_problem(case: Case) -> None:
    kwargs: dict[str, Any] = {"headers": case.headers}
    if case.content is not None:
        kwargs["content"] = chunks(case.content) if case.chunked else case.content
    elif case.body is not None:
        kwargs["content"] = json.dumps(case.body).encode()
    async with client_of(APPS[case.app]) as http:
        response = await http.request(case.method, case.path, **kwargs)

        assert response.status_code == case.status, response.text[:1000]
        assert response.headers["content-type"] == PROBLEM_JSON
        assert len(response.content) < MAX_ANSWER
        problem = strict_json(response.text)
        assert problem["type"] == case.type
        assert problem["status"] == case.status
        assert problem["title"] == HTTPStatus(case.status).phrase
        assert problem["detail"]
        if case.limit is not None:
            settings = APPS[case.app].state.settings
            value = getattr(settings, case.limit)
            setting = f"GRADSERVICE_{case.limit.upper()}"
            assert problem["limit"] == {"name": case.limit, "setting": setting, "value": value}
            assert f"{case.limit} = {value} ({setting})" in problem["detail"]
        if case.pointer is not None:
            pointers = [error["pointer"] for error in problem["errors"]]
            assert case.pointer in pointers, pointers
        await still_serves(http)


@pytest.mark.parametrize(
    ("headers", "read"),
    [
        pytest.param({}, 20, id="chunked"),  # the 20th 1 KiB piece crosses the 20,000-byte limit
        pytest.param({"content-length": str(100 * 1024)}, 0, id="content-length"),  # refused from the header
    ],
)
async def test_a_large_body_is_refused_without_reading_the_rest(headers: dict[str, str], read: int) -> None:
    sent = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal sent
        async for piece in chunks(padded(100 * 1024)):
            sent += 1
            yield piece

    async with client_of(APPS["small"]) as http:
        response = await http.post("/v1/gradients", content=counted(), headers={**JSON, **headers})
    assert response.status_code == 413
    assert response.json()["limit"]["name"] == "max_body_bytes"
    assert sent == read


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/v1/train", {**SEED_TWO_LAYER, "steps": 125}, id="train-at-its-budget"),  # 125 × 8 × 1
        pytest.param("/v1/gradients/check", request((3, 5), (5, 3), (3, 1)), id="check-within-its-budget"),
    ],
)
async def test_work_within_the_budgets_is_done(path: str, body: dict[str, Any]) -> None:
    async with client_of(APPS["small"]) as http:
        response = await http.post(path, json=body)
    assert response.status_code == 200, response.text


def layer_grid() -> Iterator[tuple[str, str, str, float]]:
    for activation in ("sigmoid", "tanh", "relu", "linear"):
        for loss in ("half_squared_error", "mean_squared_error", "binary_cross_entropy"):
            for weight in (1e300, -1e300):
                yield activation, loss, "/v1/gradients", weight
        yield activation, "half_squared_error", "/v1/forward", 1e300
        yield activation, "half_squared_error", "/v1/loss", -1e300


@pytest.mark.parametrize(("activation", "loss", "path", "weight"), list(layer_grid()))
async def test_huge_finite_weights_never_give_nan_or_infinity(
    client: httpx.AsyncClient, activation: str, loss: str, path: str, weight: float
) -> None:
    """±1e300 weights: an answer of finite numbers in strict JSON, or a 422 that says what overflowed."""
    body = {
        "network": {
            "layers": [
                {"weights": [[weight, -weight], [1.0, weight]], "activation": activation, "bias": [weight, 0.0]},
                {"weights": [[weight], [-weight]], "activation": "sigmoid"},
            ]
        },
        "inputs": [[1.0, -1.0], [1e300, 0.5]],
        "targets": [[1.0], [0.0]],
        "loss": loss,
    }
    response = await client.post(path, json=body)
    data = strict_json(response.text)
    if response.status_code == 422:
        assert data["type"] == "/problems/non-finite-result"
        assert "overflow" in data["detail"]
    else:
        assert response.status_code == 200, response.text

        def numbers(value: Any) -> Iterator[float]:
            if isinstance(value, dict):
                for item in value.values():
                    yield from numbers(item)
            elif isinstance(value, list):
                for item in value:
                    yield from numbers(item)
            elif isinstance(value, float | int):
                yield float(value)

        assert all(np.isfinite(list(numbers(data))))


async def test_saturated_sigmoid_and_cross_entropy_stay_exact(client: httpx.AsyncClient) -> None:
    """z = ±1e300: σ(z) is exactly 1 or 0, and L = −[y log ŷ + (1 − y) log(1 − ŷ)] is computed from z, finite.

    For y = 0 and z = 1e300, L = log(1 + e^z) − y z = z = 1e300, and Δ = ŷ − y = 1.
    """
    body = {
        "network": {"layers": [{"weights": [[1e300]], "activation": "sigmoid"}]},
        "inputs": [[1.0], [-1.0]],
        "targets": [[0.0], [0.0]],
        "loss": "binary_cross_entropy",
    }
    response = await client.post("/v1/gradients", json=body)
    assert response.status_code == 200, response.text
    data = strict_json(response.text)
    assert data["output"] == [[1.0], [0.0]]
    # mean over m = 2 examples: (1e300 + log(1 + e^−1e300)) / 2 = 5e299
    assert data["loss"] == pytest.approx(5e299, rel=1e-12)
    # Δ = (ŷ − y) / m for the mean, ∂L/∂W = Xᵀ · Δ = [1, −1] · [0.5, 0]ᵀ = 0.5
    assert data["layers"][0]["delta"] == [[0.5], [0.0]]
    assert data["layers"][0]["weights_gradient"] == [[0.5]]
