"""Every validation rule, table-driven: status, RFC 9457 problem fields, and the errors' JSON pointers."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM_JSON = "application/problem+json"
INVALID = "/problems/invalid-request"
MALFORMED = "/problems/malformed-json"
SENTINEL = "__TOKEN__"

# A valid request: X is 2 × 3, W_1 is 3 × 2, W_2 is 2 × 1, so Y must be 2 × 1.
VALID: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], "activation": "tanh", "bias": [0.1, -0.1]},
            {"weights": [[0.7], [-0.3]], "activation": "sigmoid"},
        ]
    },
    "inputs": [[1.0, 0.5, -1.5], [0.0, 2.0, 1.0]],
    "targets": [[1.0], [0.0]],
    "loss": "half_squared_error",
}


def edit(*changes: tuple[tuple[str | int, ...], Any]) -> dict[str, Any]:
    """A copy of VALID with each (path, value) set; the value ``...`` deletes the field."""
    body = copy.deepcopy(VALID)
    for path, value in changes:
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        if value is ...:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return body


def raw(path: tuple[str | int, ...], token: str) -> bytes:
    """VALID as JSON text with the value at ``path`` replaced by a raw token such as NaN or 1e999."""
    text = json.dumps(edit((path, SENTINEL)))
    assert text.count(f'"{SENTINEL}"') == 1
    return text.replace(f'"{SENTINEL}"', token).encode()


@dataclass(frozen=True)
class Case:
    body: Any = None
    content: bytes | None = None
    path: str = "/v1/gradients"
    method: str = "POST"
    headers: dict[str, str] | None = None
    status: int = 422
    type: str = INVALID
    pointer: str | None = None
    contains: tuple[str, ...] = ()
    allow: str = ""


W1 = ("network", "layers", 0, "weights")
W2 = ("network", "layers", 1, "weights")
B1 = ("network", "layers", 0, "bias")
L1 = ("network", "layers", 1)
JSON = {"content-type": "application/json"}

CASES = {
    "W1-rows-differ-from-n0": Case(
        edit((W1, [[1.0, 2.0]] * 4)), pointer="/network/layers/0/weights", contains=("4 × 2", "3 columns")
    ),
    "W2-rows-differ-from-W1-cols": Case(
        edit((W2, [[1.0], [2.0], [3.0]])), pointer="/network/layers/1/weights", contains=("3 × 1", "2 columns")
    ),
    "bias-wrong-length": Case(edit((B1, [0.1, 0.2, 0.3])), pointer="/network/layers/0/bias", contains=("b_1", "2")),
    "bias-wrong-length-layer-2": Case(
        edit(((*L1, "bias"), [0.1, 0.2])), pointer="/network/layers/1/bias", contains=("b_2",)
    ),
    "bias-is-a-matrix": Case(edit((B1, [[0.1], [0.2]])), pointer="/network/layers/0/bias", contains=("2 × 1",)),
    "targets-wrong-shape": Case(edit((("targets",), [[1.0, 0.0]])), pointer="/targets", contains=("1 × 2", "2 × 1")),
    "targets-flat-wrong-count": Case(
        edit((("targets",), [1.0, 0.0, 1.0])), pointer="/targets", contains=("3 × 1", "2 × 1")
    ),
    "targets-wrong-shape-on-loss": Case(
        edit((("targets",), 1.0)), path="/v1/loss", pointer="/targets", contains=("1 × 1", "2 × 1")
    ),
    "ragged-inputs": Case(edit((("inputs",), [[1.0, 2.0, 3.0], [4.0, 5.0]])), pointer="/inputs", contains=("row 1",)),
    "ragged-weights": Case(edit((W1, [[0.1, 0.2], [0.3], [0.4, 0.5]])), pointer="/network/layers/0/weights"),
    "empty-inputs": Case(edit((("inputs",), [])), pointer="/inputs"),
    "empty-row-inputs": Case(edit((("inputs",), [[]])), pointer="/inputs"),
    "empty-weights": Case(edit((W1, [])), pointer="/network/layers/0/weights"),
    "empty-row-weights": Case(edit((W2, [[]])), pointer="/network/layers/1/weights"),
    "empty-targets": Case(edit((("targets",), [])), pointer="/targets"),
    "flat-weights": Case(edit((W2, [0.7, -0.3])), pointer="/network/layers/1/weights", contains=("flat list",)),
    "NaN-input": Case(content=raw(("inputs", 0, 1), "NaN"), headers=JSON, pointer="/inputs/0/1"),
    "Infinity-weight": Case(
        content=raw((*W1, 1, 0), "Infinity"), headers=JSON, pointer="/network/layers/0/weights/1/0"
    ),
    "-Infinity-target": Case(content=raw(("targets", 1, 0), "-Infinity"), headers=JSON, pointer="/targets/1/0"),
    "1e999-bias": Case(content=raw((*B1, 1), "1e999"), headers=JSON, pointer="/network/layers/0/bias/1"),
    "-1e999-scalar-targets": Case(content=raw(("targets",), "-1e999"), headers=JSON, pointer="/targets"),
    "string-in-inputs": Case(edit((("inputs", 0, 1), "0.5")), pointer="/inputs/0/1"),
    "boolean-in-weights": Case(edit(((*W1, 2, 1), True)), pointer="/network/layers/0/weights/2/1"),
    "null-in-targets": Case(edit((("targets", 1, 0), None)), pointer="/targets/1/0"),
    "null-in-flat-inputs": Case(edit((("inputs",), [1.0, None, 2.0])), pointer="/inputs/1"),
    "string-weights": Case(edit((W1, "0.3")), pointer="/network/layers/0/weights"),
    "object-inputs": Case(edit((("inputs",), {"x": 1.0})), pointer="/inputs"),
    "three-dimensional-inputs": Case(edit((("inputs",), [[[1.0, 0.5, -1.5]]])), pointer="/inputs/0/0"),
    "unknown-activation": Case(
        edit(((*L1, "activation"), "softplus")), pointer="/network/layers/1/activation", contains=("sigmoid",)
    ),
    "unknown-loss": Case(edit((("loss",), "hinge")), pointer="/loss", contains=("half_squared_error",)),
    "unknown-field-typo": Case(edit((("target",), [[1.0], [0.0]]), (("targets",), ...)), pointer="/target"),
    "unknown-layer-field": Case(edit(((*L1, "bais"), [0.1])), pointer="/network/layers/1/bais"),
    "missing-targets": Case(edit((("targets",), ...)), pointer="/targets"),
    "missing-targets-on-loss": Case(edit((("targets",), ...)), path="/v1/loss", pointer="/targets"),
    "missing-inputs": Case(edit((("inputs",), ...)), path="/v1/forward", pointer="/inputs"),
    "missing-weights": Case(edit((W2, ...)), pointer="/network/layers/1/weights"),
    "empty-layer-list": Case(edit((("network", "layers"), [])), pointer="/network/layers"),
    "body-is-an-array": Case([VALID], pointer=""),
    "bce-after-tanh": Case(
        edit((("loss",), "binary_cross_entropy"), ((*L1, "activation"), "tanh")),
        pointer="/network/layers/1/activation",
        contains=("binary_cross_entropy", "sigmoid"),
    ),
    "bce-target-outside-0-1": Case(
        edit((("loss",), "binary_cross_entropy"), (("targets",), [[1.5], [0.0]])), pointer="/targets"
    ),
    "overflow": Case(
        edit((("inputs",), [[1e300, 0.0, 0.0]] * 2), (W1, [[1e300, 0.0]] * 3), ((*L1, "activation"), "linear")),
        type="/problems/non-finite-result",
        pointer="/network/layers/0",
        contains=("overflow",),
    ),
    "malformed-json": Case(content=b'{"network": {"layers": [', headers=JSON, status=400, type=MALFORMED),
    "trailing-garbage": Case(content=json.dumps(VALID).encode() + b" }", headers=JSON, status=400, type=MALFORMED),
    "invalid-utf8": Case(content=b'{"inputs": "\xff\xfe"}', headers=JSON, status=400, type=MALFORMED),
    "empty-body": Case(content=b"", headers=JSON, status=400, type=MALFORMED),
    "text-plain": Case(
        content=json.dumps(VALID).encode(),
        headers={"content-type": "text/plain"},
        status=415,
        type="/problems/unsupported-media-type",
    ),
    "form-encoded": Case(
        content=b"inputs=1", headers={"content-type": "application/x-www-form-urlencoded"}, status=415, type=""
    ),
    "GET-gradients": Case(method="GET", status=405, type="", allow="POST"),
    "PUT-forward": Case(VALID, method="PUT", path="/v1/forward", status=405, type="", allow="POST"),
    "POST-healthz": Case(VALID, path="/healthz", status=405, type="", allow="GET"),
    "unknown-path": Case(VALID, path="/v1/gradient", status=404, type=""),
    "nested-50000": Case(
        content=b'{"inputs": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", headers=JSON, status=0, type=""
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
async def test_invalid_request_is_a_problem(client: httpx.AsyncClient, case: Case) -> None:
    kwargs: dict[str, Any] = {"headers": case.headers}
    if case.content is not None:
        kwargs["content"] = case.content
    elif case.body is not None:
        kwargs["json"] = case.body
    response = await client.request(case.method, case.path, **kwargs)

    if case.status == 0:  # only "a client error, not a crash"
        assert 400 <= response.status_code < 500, response.text
    elif case.type == MALFORMED:
        assert response.status_code in (400, 422), response.text
    else:
        assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == response.status_code
    assert problem["title"] == HTTPStatus(response.status_code).phrase
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    if case.type:
        assert problem["type"] == case.type
    if case.allow:
        assert case.allow in response.headers["allow"]

    errors = problem.get("errors")
    if case.status != 422:
        return
    assert isinstance(errors, list)
    assert errors
    for error in errors:
        assert set(error) == {"pointer", "message"}
        assert isinstance(error["pointer"], str)
        assert error["pointer"] == "" or error["pointer"].startswith("/")
        assert error["message"]
    pointers = [error["pointer"] for error in errors]
    expected = case.pointer
    assert expected is not None
    assert expected in pointers, pointers
    message = next(error["message"] for error in errors if error["pointer"] == expected)
    for text in case.contains:
        assert text in message
        assert text in problem["detail"]


async def test_targets_are_not_needed_for_forward(client: httpx.AsyncClient) -> None:
    body = edit((("targets",), ...), (("loss",), ...))
    response = await client.post("/v1/forward", json=body)
    assert response.status_code == 200, response.text
    assert len(response.json()["output"]) == 2


async def test_every_mismatch_is_reported_at_once(client: httpx.AsyncClient) -> None:
    body = edit((("inputs",), [[1.0, "x", 2.0]]), ((*L1, "activation"), "softplus"), (("loss",), "l1"))
    response = await client.post("/v1/gradients", json=body)
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/inputs/0/1", "/network/layers/1/activation", "/loss"}


async def test_json_pointer_escapes_slash_and_tilde(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gradients", json={**VALID, "a/b~c": 1})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/a~1b~0c"]


async def test_flat_weights_message_has_no_template_braces(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gradients", json=edit((W2, [0.7, -0.3])))
    message = response.json()["errors"][0]["message"]
    assert "{{" not in message
    assert "n_{k−1} × n_k" in message


async def test_a_valid_request_still_succeeds(client: httpx.AsyncClient) -> None:
    """After every invalid request above, the same app still answers a valid one."""
    for path in ("/v1/forward", "/v1/loss", "/v1/gradients"):
        response = await client.post(path, json=VALID)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
