"""Regression guard: the fast paths (simdjson and ndarrays; orjson and ``np.array``) and the reference path
(pydantic's JSON parser, the strict per-element validator, ``tolist``) agree on random requests, valid and
invalid, bit for bit; simdjson's and orjson's answer alike to a table of tricky bodies."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import httpx
import numpy as np
import orjson
import pytest
from pydantic import ValidationError

import gradcore
from bench.workloads import workloads
from service.api.schemas import compact
from service.api.schemas.requests import GradientsRequest
from service.app import create_app
from service.domain.errors import ServiceError
from service.domain.fastpath import fastjson, read_request, screen
from service.domain.fastpath.context import FAST_MIN_LENGTH, ReadContext
from service.domain.settings import Settings
from service.http.problems import error_items

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
    assert ReadContext.of_text(body, None).fast
    fast = read_request(GradientsRequest, body)
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
    return error_items(caught.value.errors(include_url=False))


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
        (b'{"inputs": [[1.0]], "note": "' + b"t" * 5000 + b'"}', True),  # many t's but no literal
        (b'{"inputs": [[1.0]], "note": "' + b"t" * 5000 + b'rue"}', False),
        (b'{"inputs": [[1.0]], "note": "' + b"f" * 50 + b'"}', True),
    ],
)
def test_fast_context_allows_the_fast_path_only_without_boolean_literals(body: bytes, fast: bool) -> None:
    assert ReadContext.of_text(body, None).fast is fast


# The simdjson path (service.domain.fastpath.fastjson): the same answers as orjson's path, valid or not, byte for byte.

JSON = {"content-type": "application/json"}
simd = pytest.mark.skipif(not fastjson.AVAILABLE, reason="pysimdjson is not installed")


async def both_ways(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, content: bytes, path: str = "/v1/gradients"
) -> tuple[httpx.Response, httpx.Response]:
    """The answer with the simdjson path tried on any body, however small, and the answer with orjson's alone."""
    with monkeypatch.context() as patch:
        patch.setattr(fastjson, "MIN_BYTES", 0)
        simd = await client.post(path, content=content, headers=JSON)
        patch.setattr(fastjson, "loads", lambda body, screen=None: None)
        plain = await client.post(path, content=content, headers=JSON)
    return simd, plain


def assert_same_answer(simd: httpx.Response, plain: httpx.Response) -> None:
    assert (simd.status_code, simd.headers["content-type"]) == (plain.status_code, plain.headers["content-type"])
    assert simd.content == plain.content


@simd
@pytest.mark.parametrize("seed", range(40))
async def test_simdjson_and_orjson_paths_give_identical_answers(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    body = json.dumps(random_request(random.Random(seed))).encode()
    assert fastjson.loads(body) is not None, "a valid request must take the simdjson path"
    with monkeypatch.context() as patch:
        patch.setattr(fastjson, "MIN_BYTES", 0)
        simd = read_request(GradientsRequest, body)
    reference = GradientsRequest.model_validate_json(body)
    for a, b in zip(arrays(simd), arrays(reference), strict=True):
        assert (a.dtype, a.shape) == (b.dtype, b.shape)
        assert a.tobytes() == b.tobytes()
    simd_answer, plain_answer = await both_ways(client, monkeypatch, body)
    assert simd_answer.status_code == 200, simd_answer.text
    assert_same_answer(simd_answer, plain_answer)


def test_without_simdjson_orjson_reads_every_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where pysimdjson has no wheel (CPython 3.14, musl), the service runs on orjson alone."""
    body = json.dumps(random_request(random.Random(0))).encode()
    monkeypatch.setattr(fastjson, "simdjson", None)
    monkeypatch.setattr(fastjson, "MIN_BYTES", 0)
    assert fastjson.loads(body) is None
    parsed = read_request(GradientsRequest, body)
    reference = GradientsRequest.model_validate_json(body)
    assert [a.tobytes() for a in arrays(parsed)] == [b.tobytes() for b in arrays(reference)]


@simd
def test_the_benchmark_bodies_take_the_simdjson_path_with_ndarrays() -> None:

    for workload in workloads(quick=True):
        body = orjson.dumps(workload.body)
        loaded = fastjson.loads(body)
        assert loaded is not None, workload.name
        if len(body) >= fastjson.MIN_BYTES and "encoding" not in workload.body:
            assert isinstance(loaded["inputs"], np.ndarray), workload.name
            assert isinstance(loaded["network"]["layers"][0]["weights"], np.ndarray), workload.name


SENTINEL = "__TOKEN__"


def tricky_base() -> dict[str, Any]:
    """A valid request; its inputs (20 × 3), targets (20 × 1) and first weights (3 × 8) are long enough for ndarrays."""
    rng = random.Random(7)
    return {
        "network": {
            "layers": [
                {"weights": matrix(rng, 3, 8), "bias": [number(rng) for _ in range(8)], "activation": "tanh"},
                {"weights": matrix(rng, 8, 1), "activation": "sigmoid"},
            ]
        },
        "inputs": matrix(rng, 20, 3),
        "targets": [[rng.random()] for _ in range(20)],
        "loss": "half_squared_error",
    }


def tricky(path: tuple[str | int, ...], value: Any) -> bytes:
    """The base request with ``value`` at ``path``; a string value is a raw JSON token such as ``NaN``."""
    body = tricky_base()
    parent: Any = body
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = SENTINEL if isinstance(value, str) else value(parent[path[-1]]) if callable(value) else value
    return json.dumps(body).replace(f'"{SENTINEL}"', value if isinstance(value, str) else "").encode()


BASE = json.dumps(tricky_base())
W1 = ("network", "layers", 0, "weights")
TRICKY: dict[str, bytes] = {
    "a request (valid)": BASE.encode(),
    "ragged row": tricky(("inputs", 5), [0.1, 0.2]),
    "ragged rows, 60 numbers in all": tricky(("inputs",), lambda X: [*X[:5], [0.1, 0.2], [0.1] * 4, *X[7:]]),
    "empty row": tricky(("inputs", 5), []),
    "empty first row": tricky(("inputs", 0), []),
    "empty inputs": tricky(("inputs",), []),
    "[[]]": tricky(("inputs",), [[]]),
    "[[], []]": tricky(("targets",), [[], []]),
    "empty weights": tricky(W1, []),
    "3-D inputs": tricky(("inputs",), lambda X: [[row] for row in X]),
    "3-D targets, 20 × 1 if flattened": tricky(("targets",), lambda Y: [[row] for row in Y]),
    "a list holding the inputs": tricky(("inputs",), lambda X: [X]),
    "a nested number in a row": tricky(("inputs", 3), [0.1, [0.2], 0.3]),
    "a nested row of the same width": tricky(("inputs", 3), [[0.1], [0.2], [0.3]]),
    "a number among rows": tricky(("inputs", 4), 0.5),
    "a number among rows, 60 numbers in all": tricky(("inputs",), lambda X: [*X[:4], 0.5, [0.1] * 5, *X[6:]]),
    "a row among numbers": tricky(("network", "layers", 0, "bias", 3), [0.5]),
    "true in inputs": tricky(("inputs", 2, 1), "true"),
    "false in weights": tricky((*W1, 1, 7), "false"),
    "true as the loss": tricky(("loss",), "true"),
    "null in targets": tricky(("targets", 19, 0), "null"),
    "null targets": tricky(("targets",), "null"),
    "integers among floats (valid)": tricky(("inputs", 7), [1, -2, 0]),
    "integer matrix (valid)": tricky(("inputs",), lambda X: [[round(x) for x in row] for row in X]),
    "integers near 2^53 and 2^64 (valid)": tricky(("inputs", 7), [2**53 + 1, 2**64 - 1, -(2**63)]),
    "-0 and -0.0 (valid)": tricky(("inputs", 7), "[-0, -0.0, 0]"),
    "integer beyond 64 bits (valid)": tricky(("inputs", 7, 0), str(2**64)),
    "integer below -2^63 (valid)": tricky(("inputs", 7, 0), str(-(2**63) - 1)),
    "huge integer (valid)": tricky(("inputs", 7, 0), "1" + "0" * 30),
    "huge integer in a short list (valid)": tricky(("network", "layers", 1, "weights", 0), "[1" + "0" * 30 + "]"),
    "1e999": tricky(("inputs", 7, 0), "1e999"),
    "-1e999 in weights": tricky((*W1, 2, 2), "-1e999"),
    "NaN": tricky(("inputs", 7, 0), "NaN"),
    "Infinity": tricky(("targets", 7, 0), "Infinity"),
    "a string in a matrix": tricky(("inputs", 7, 0), '"0.5"'),
    "a [ in the loss": tricky(("loss",), '"half[squared_error"'),
    "a [ in an unknown field": tricky(("note",), '"["'),
    "a [ in include": tricky(("include",), '["loss["]'),
    "include (valid)": tricky(("include",), '["loss", "weights_gradient"]'),
    "duplicate inputs, the last one counts": BASE.replace('"loss"', '"inputs": [[true]], "loss"').encode(),
    "duplicate inputs, the last one counts (valid)": BASE.replace('"inputs"', '"inputs": [[true]], "inputs"').encode(),
    "duplicate loss (valid)": BASE.replace(
        '"loss": "half_squared_error"', '"loss": "half_squared_error", "loss": "mean_squared_error"'
    ).encode(),
    "duplicate loss, escaped (valid)": BASE.replace(
        '"loss": "half_squared_error"', '"loss": "half_squared_error", "lo\\u0073s": "mean_squared_error"'
    ).encode(),
    "escaped keys (valid)": BASE.replace('"inputs"', '"in\\u0070uts"').replace('"weights"', '"w\\u0065ights"').encode(),
    "a key with NUL": BASE.replace('"loss"', '"loss\\u0000x": 1, "loss"').encode(),
    "byte order mark": b"\xef\xbb\xbf" + BASE.encode(),
    "a list": b"[" + BASE.encode() + b"]",
    "a string": b'"x"',
    "a number": b"1.5",
    "null": b"null",
    "true": b"true",
    "empty": b"",
    "blank": b"  \n",
    "trailing garbage": BASE.encode() + b" x",
    "two documents": BASE.encode() + BASE.encode(),
    "trailing comma": BASE[:-1].encode() + b",}",
    "invalid UTF-8": BASE.replace('"tanh"', '"tan\xff"').encode("latin-1"),
    "lone surrogate": BASE.replace('"tanh"', '"tan\\ud800"').encode(),
    "deep inputs": tricky(("inputs",), "[" * 30 + "1.0" + "]" * 30),
    "very deep inputs": tricky(("inputs",), "[" * 3000 + "1.0" + "]" * 3000),
    "compact inputs (valid)": tricky(("inputs",), lambda X: compact.encode(np.array(X))),
    "compact inputs, 20 numbers as the shape": tricky(
        ("inputs",), lambda X: {**compact.encode(np.array(X)), "shape": [1] * 20}
    ),
}


@pytest.mark.parametrize("name", TRICKY)
async def test_simdjson_and_orjson_paths_give_identical_problems(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    simd, plain = await both_ways(client, monkeypatch, TRICKY[name])
    assert_same_answer(simd, plain)
    assert (simd.status_code == 200) == name.endswith("(valid)"), simd.text


def verify_body(claims: Any, bias_claims: Any) -> bytes:
    body = tricky_base()
    return json.dumps({**body, "claimed_gradients": claims, "claimed_bias_gradients": bias_claims}).encode()


@pytest.mark.parametrize(
    "content",
    [
        verify_body([[[0.1] * 8] * 3, [[0.2]] * 8], [[0.1] * 8, None]),  # a list of matrices; a null bias claim
        verify_body([[[0.1] * 8] * 3, [[0.2]] * 8], None),
        verify_body([[[[0.1] * 8]] * 3, [[0.2]] * 8], None),  # 4-D: refused
        verify_body([[[0.1] * 8] * 3, [[True]] * 8], None),
        verify_body([[0.1] * 16, [0.2] * 16], [[0.1] * 16, [0.2] * 16]),  # one ndarray where a list of claims goes
        verify_body([[[0.1] * 8] * 3, [[0.2]] * 8], [[0.1] * 8, [0.2]]),
    ],
)
async def test_verify_answers_identically(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    simd, plain = await both_ways(client, monkeypatch, content, "/v1/gradients/verify")
    assert_same_answer(simd, plain)


LIMITED = Settings(max_layers=3, max_numbers=400, max_width=30, max_batch=40, max_work=20_000)
"""Limits that the tricky base request (20 × 3 inputs, 3-8-1 network) is within, and the bodies below are not."""


def over_limits() -> dict[str, bytes]:
    deep = {"weights": [[0.1] * 8] * 8, "activation": "tanh"}
    return {
        "within the limits (valid)": BASE.encode(),
        "5 layers": tricky(("network", "layers"), lambda layers: [layers[0], deep, deep, deep, layers[1]]),
        "inputs 20 × 31": tricky(("inputs",), lambda X: [[0.5] * 31 for _ in X]),
        "weights 31 wide": tricky(W1, [[0.5] * 31 for _ in range(3)]),
        "50 examples": tricky(("inputs",), lambda X: (X * 3)[:50]),
        "too many numbers": tricky(("inputs",), lambda X: [[0.5] * 25 for _ in X]),
        "too many numbers for the screen": tricky(("inputs",), lambda X: [[0.5] * 45 for _ in X]),
        "a thousand objects": tricky(("note",), [{}] * 1000),
    }


@simd
@pytest.mark.parametrize("name", over_limits())
async def test_limits_answer_alike_on_both_paths(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """simdjson's path skips the byte screen; over a limit it falls back, and the screen or the model decides."""
    transport = httpx.ASGITransport(app=create_app(LIMITED))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as limited:
        simd, plain = await both_ways(limited, monkeypatch, over_limits()[name])
    assert_same_answer(simd, plain)
    assert (simd.status_code == 200) == name.endswith("(valid)"), simd.text
    if simd.status_code != 200:
        assert simd.json()["type"].endswith("limit-exceeded"), simd.text


@simd
def test_a_flood_of_small_values_is_left_to_the_screened_path() -> None:
    """Past MAX_OBJECTS Python values, simdjson's path doubts: orjson's path reads the body after the byte screen."""
    rows = fastjson.MAX_OBJECTS // 1000 + 1
    within = orjson.dumps({"note": [["a"] * 999 for _ in range(rows - 2)]})
    flood = orjson.dumps({"note": [["a"] * 999 for _ in range(rows)]})
    assert fastjson.loads(within) is not None
    assert fastjson.loads(flood) is None
    ragged = orjson.dumps({"inputs": [[0.5] * (2 + k % 2) for k in range(fastjson.MAX_OBJECTS // 3)]})
    assert fastjson.loads(ragged) is None  # as_list would make over MAX_OBJECTS values


@simd
def test_a_body_long_enough_to_flood_is_screened_before_simdjson_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Longer than 2 bytes a number over max_numbers: the byte screen runs first, and a flood never gets parsed."""
    read: list[int] = []
    loads = fastjson.loads
    monkeypatch.setattr(fastjson, "loads", lambda body, screen=None: read.append(len(body)) or loads(body, screen))
    small = Settings(max_numbers=4000)
    flood = b'{"inputs": [' + b"0," * 9000 + b"0]}"
    with pytest.raises(ServiceError, match="array elements"):
        read_request(GradientsRequest, flood, small)
    assert read == []
    valid = tricky(("inputs",), lambda X: [[0.5] * 3 for _ in range(900)])
    valid = valid.replace(b'"targets": [', b'"targets": [' + b"[0.5], " * 880, 1)
    assert screen.could_flood(valid, small)
    assert read_request(GradientsRequest, valid, small).inputs.shape == (900, 3)
    assert read == [len(valid)]  # screened, then read by simdjson
