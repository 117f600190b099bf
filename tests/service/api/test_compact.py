"""Compact base64 tensors in requests and responses, and ``include`` field selection."""

from __future__ import annotations

import base64
import copy
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import ValidationError

from service.api.schemas import compact
from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

# X is 2 × 3, W_1 is 3 × 2 with a bias, W_2 is 2 × 1, Y is 2 × 1.
JSON_BODY: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], "activation": "tanh", "bias": [0.1, -0.1]},
            {"weights": [[0.7], [-0.3]], "activation": "sigmoid"},
        ]
    },
    "inputs": [[1.0, 0.5, -1.5], [0.0, 2.0, 1.0]],
    "targets": [[1.0], [0.0]],
}


def pack(values: Any, dtype: str = "float64") -> dict[str, Any]:
    """A compact tensor written by hand: little-endian bytes, row-major, base64."""
    array = np.asarray(values, dtype="<f8" if dtype == "float64" else "<f4")
    return {"shape": list(array.shape), "dtype": dtype, "data": base64.b64encode(array.tobytes()).decode()}


def unpack(tensor: dict[str, Any]) -> np.ndarray:
    assert tensor["dtype"] == "float64"
    return np.frombuffer(base64.b64decode(tensor["data"]), "<f8").reshape(tensor["shape"])


def compact_body(dtype: str = "float64") -> dict[str, Any]:
    body = copy.deepcopy(JSON_BODY)
    for layer in body["network"]["layers"]:
        layer["weights"] = pack(layer["weights"], dtype)
        if "bias" in layer:
            layer["bias"] = pack(layer["bias"], dtype)
    body["inputs"], body["targets"] = pack(body["inputs"], dtype), pack(body["targets"], dtype)
    return body


async def post(client: httpx.AsyncClient, body: dict[str, Any], path: str = "/v1/gradients") -> httpx.Response:
    return await client.post(path, json=body)


async def test_compact_float64_request_gives_the_json_answer(client: httpx.AsyncClient) -> None:
    expected = (await post(client, JSON_BODY)).json()
    response = await post(client, compact_body())
    assert response.status_code == 200, response.text
    assert response.json() == expected


async def test_compact_float32_request_is_the_float32_rounded_matrices(client: httpx.AsyncClient) -> None:
    rounded = copy.deepcopy(JSON_BODY)
    for layer in rounded["network"]["layers"]:
        layer["weights"] = np.float32(layer["weights"]).astype(float).tolist()
        layer["bias"] = np.float32(layer["bias"]).astype(float).tolist() if "bias" in layer else None
    rounded["inputs"] = np.float32(rounded["inputs"]).astype(float).tolist()
    response = await post(client, compact_body("float32"))
    assert response.status_code == 200, response.text
    assert response.json() == (await post(client, rounded)).json()


@pytest.mark.parametrize("path", ["/v1/forward", "/v1/loss", "/v1/gradients"])
async def test_base64_response_round_trips_bit_for_bit(client: httpx.AsyncClient, path: str) -> None:
    plain = (await post(client, JSON_BODY, path)).json()
    response = await post(client, {**JSON_BODY, "encoding": "base64"}, path)
    assert response.status_code == 200, response.text
    compact = response.json()
    assert compact.keys() == plain.keys()
    if "loss" in plain:
        assert compact["loss"] == plain["loss"]
    assert unpack(compact["output"]).tolist() == plain["output"]
    for mine, theirs in zip(compact.get("layers", []), plain.get("layers", []), strict=True):
        assert mine.keys() == theirs.keys()
        for key, tensor in mine.items():
            assert unpack(tensor).tolist() == theirs[key]
    if path == "/v1/gradients":
        assert compact["layers"][0]["bias_gradient"]["shape"] == [2]
        assert compact["layers"][0]["weights_gradient"]["shape"] == [3, 2]


async def test_a_base64_answer_can_be_sent_back_as_a_request(client: httpx.AsyncClient) -> None:
    """∂L/∂W_1 in compact form is accepted as weights: the two encodings are one format."""
    answer = (await post(client, {**JSON_BODY, "encoding": "base64", "include": ["weights_gradient"]})).json()
    body = copy.deepcopy(JSON_BODY)
    body["network"]["layers"][0]["weights"] = answer["layers"][0]["weights_gradient"]
    response = await post(client, body)
    assert response.status_code == 200, response.text


async def test_include_selects_top_level_and_layer_fields(client: httpx.AsyncClient) -> None:
    full = (await post(client, JSON_BODY)).json()
    response = await post(client, {**JSON_BODY, "include": ["loss", "weights_gradient", "bias_gradient"]})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "loss": full["loss"],
        "layers": [
            {
                "weights_gradient": layer["weights_gradient"],
                **({"bias_gradient": layer["bias_gradient"]} if k == 0 else {}),
            }
            for k, layer in enumerate(full["layers"])
        ],
    }


async def test_include_without_layer_fields_leaves_out_the_layers(client: httpx.AsyncClient) -> None:
    response = await post(client, {**JSON_BODY, "include": ["output"]}, "/v1/forward")
    assert response.status_code == 200
    assert list(response.json()) == ["output"]


@pytest.mark.parametrize(
    ("path", "include"), [("/v1/forward", ["delta"]), ("/v1/loss", ["activation"]), ("/v1/gradients", ["weights"])]
)
async def test_include_names_only_fields_of_the_response(
    client: httpx.AsyncClient, path: str, include: list[str]
) -> None:
    response = await post(client, {**JSON_BODY, "include": ["output", *include]}, path)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/include/1"]


async def test_include_must_not_be_empty(client: httpx.AsyncClient) -> None:
    response = await post(client, {**JSON_BODY, "include": []})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/include"]


async def test_unknown_encoding_is_refused(client: httpx.AsyncClient) -> None:
    response = await post(client, {**JSON_BODY, "encoding": "msgpack"})
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/encoding"]


def with_inputs(inputs: Any) -> dict[str, Any]:
    return {**JSON_BODY, "inputs": inputs}


NAN = base64.b64encode(np.array([1.0, np.nan, 2.0, 3.0, 4.0, 5.0], "<f8").tobytes()).decode()
INF32 = base64.b64encode(np.array([1, 2, 3, 4, 5, np.inf], "<f4").tobytes()).decode()
SIX = base64.b64encode(np.zeros(6, "<f8").tobytes()).decode()
FIVE = base64.b64encode(np.zeros(5, "<f8").tobytes()).decode()

BAD = {
    "too-few-bytes": ({"shape": [2, 3], "dtype": "float64", "data": FIVE}, "/inputs/data", "holds 40 bytes"),
    "shape-wants-more": ({"shape": [2, 4], "dtype": "float64", "data": SIX}, "/inputs/data", "2 × 4"),
    "float32-size-of-float64": ({"shape": [2, 3], "dtype": "float32", "data": SIX}, "/inputs/data", "24 bytes"),
    "not-base64": ({"shape": [2, 3], "dtype": "float64", "data": "not base64!"}, "/inputs/data", "base64"),
    "non-ascii": ({"shape": [2, 3], "dtype": "float64", "data": "ééé"}, "/inputs/data", "base64"),
    "nan": ({"shape": [2, 3], "dtype": "float64", "data": NAN}, "/inputs/data", "value 1"),
    "inf-float32": ({"shape": [2, 3], "dtype": "float32", "data": INF32}, "/inputs/data", "value 5"),
    "zero-rows": ({"shape": [0, 3], "dtype": "float64", "data": ""}, "/inputs/shape/0", ""),
    "three-dims": ({"shape": [1, 2, 3], "dtype": "float64", "data": SIX}, "/inputs/shape", ""),
    "float-dim": ({"shape": [2.0, 3], "dtype": "float64", "data": SIX}, "/inputs/shape/0", ""),
    "bool-dim": ({"shape": [True, 6], "dtype": "float64", "data": SIX}, "/inputs/shape/0", ""),
    "int32": ({"shape": [2, 3], "dtype": "int32", "data": SIX}, "/inputs/dtype", ""),
    "missing-data": ({"shape": [2, 3], "dtype": "float64"}, "/inputs/data", ""),
    "extra-key": ({"shape": [2, 3], "dtype": "float64", "data": SIX, "order": "C"}, "/inputs/order", ""),
    "not-a-tensor": ({"x": 1}, "/inputs", "compact tensor"),
}


@pytest.mark.parametrize(("tensor", "where", "text"), list(BAD.values()), ids=list(BAD))
async def test_invalid_compact_tensor_is_a_problem(
    client: httpx.AsyncClient, tensor: Any, where: str, text: str
) -> None:
    response = await post(client, with_inputs(tensor))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert where in [error["pointer"] for error in errors], errors
    assert text in next(error["message"] for error in errors if error["pointer"] == where)


async def test_compact_shapes_go_through_the_same_shape_checks(client: httpx.AsyncClient) -> None:
    """A compact X of the wrong width, and flat compact weights, get the messages of their JSON forms."""
    response = await post(client, with_inputs(pack([[1.0, 2.0]])))
    assert response.json()["errors"][0]["pointer"] == "/network/layers/0/weights"
    assert "2 columns" in response.json()["errors"][0]["message"]
    body = copy.deepcopy(JSON_BODY)
    body["network"]["layers"][1]["weights"] = pack([0.7, -0.3])
    response = await post(client, body)
    assert response.json()["errors"][0]["pointer"] == "/network/layers/1/weights"
    assert "flat list" in response.json()["errors"][0]["message"]


async def test_openapi_documents_compact_tensors_and_options(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert set(schemas["CompactTensor"]["properties"]) == {"shape", "dtype", "data"}
    forms = schemas["GradientsRequest"]["properties"]["inputs"]["anyOf"]
    assert {"$ref": "#/components/schemas/CompactTensor"} in forms
    include = schemas["GradientsRequest"]["properties"]["include"]["anyOf"][0]["items"]["enum"]
    assert "weights_gradient" in include
    assert schemas["ForwardRequest"]["properties"]["include"]["anyOf"][0]["items"]["enum"] == [
        "output",
        "layers",
        "pre_activation",
        "activation",
    ]
    assert schemas["GradientsRequest"]["properties"]["encoding"]["enum"] == ["json", "base64"]
    assert "required" not in schemas["GradientsResponse"]


async def test_the_compact_example_in_the_schema_is_valid(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    example = schemas["CompactTensor"]["examples"][0]
    body = copy.deepcopy(SEED_TWO_LAYER)
    body["network"]["layers"][1]["weights"] = {**example, "shape": [2, 1]}
    response = await post(client, body)
    assert response.status_code == 200, response.text
    plain = copy.deepcopy(SEED_TWO_LAYER)
    plain["network"]["layers"][1]["weights"] = unpack(example).reshape(2, 1).tolist()
    assert response.json() == (await post(client, plain)).json()


async def test_compact_tensors_at_the_layer_limit_pass_the_byte_screen() -> None:
    """The screen before parsing counts JSON objects: a compact weights and bias per layer must still fit."""
    depth = 3
    rng = np.random.default_rng(5)
    layers = [
        {"weights": pack(rng.normal(size=(2, 2))), "bias": pack(rng.normal(size=2)), "activation": "tanh"}
        for _ in range(depth)
    ]
    body = {"network": {"layers": layers}, "inputs": pack([[0.5, -1.0]]), "targets": pack([[0.1, 0.2]])}
    small = create_app(Settings(max_layers=depth))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://test") as client:
        assert (await post(client, body)).status_code == 200
        too_deep = {**body, "network": {"layers": [*layers, layers[0]]}}
        response = await post(client, too_deep)
    assert response.status_code == 422
    assert response.json()["limit"]["name"] == "max_layers"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_decoding_accepts_huge_finite_values_whose_sum_overflows(dtype: str) -> None:
    big = np.finfo(np.float32 if dtype == "float32" else np.float64).max
    values = np.array([[big, big], [big, -1.0]])
    decoded = compact.decode(compact.encode(values, dtype))  # type: ignore[arg-type]
    assert np.array_equal(decoded, values.astype(dtype))
    assert decoded.dtype == np.float64


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_decoding_names_the_first_non_finite_value_even_where_the_sum_would_hide_it(bad: float) -> None:
    values = np.array([[1.0, bad, np.inf, -np.inf]])
    with pytest.raises(ValidationError, match=r"value 1 \(row-major\)"):
        compact.decode(compact.encode(values))
