"""UM-Bridge 1.0 conformance, our own checks (the protocol's ``testing/protocol_conformity_1.0`` in spirit, for
both models): Info, ModelInfo, Input/OutputSizes, the shapes of Evaluate, Gradient, ApplyJacobian and ApplyHessian
with exactly the protocol's fields, and the error types and messages of a wrong model name, wrong input sizes and
wrong indices; plus the configs and the service's limits."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from service.app import create_app
from service.domain.fastpath import fastjson
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio
BASE = "/umbridge"
MODELS = {"loss": (8, 1), "network": (3, 1)}
"""Input and output sizes of each model for the default config, seed case 5: θ is W_1 (3 × 2) and W_2 (2 × 1)."""
METHODS = ("Evaluate", "Gradient", "ApplyJacobian", "ApplyHessian")


@pytest.fixture
async def client(anyio_backend: str) -> Any:
    transport = httpx.ASGITransport(app=create_app(Settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def body(method: str, name: str, value: float = 0.5, **changes: Any) -> dict[str, Any]:
    """A valid request of ``method`` to ``name`` with every vector filled with ``value``, then ``changes``."""
    n_in, n_out = MODELS.get(name, (8, 1))
    request: dict[str, Any] = {"name": name, "config": {}, "input": [[value] * n_in]}
    if method == "Gradient":
        request |= {"outWrt": 0, "inWrt": 0, "sens": [1.0] * n_out}
    if method == "ApplyJacobian":
        request |= {"outWrt": 0, "inWrt": 0, "vec": [value] * n_in}
    if method == "ApplyHessian":
        request |= {"outWrt": 0, "inWrt1": 0, "inWrt2": 0, "sens": [1.0] * n_out, "vec": [value] * n_in}
    return request | changes


async def test_info_lists_protocol_1_and_the_models(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{BASE}/Info")
    assert answer.status_code == 200
    assert answer.json() == {"protocolVersion": 1.0, "models": ["loss", "network"]}


@pytest.mark.parametrize("name", MODELS)
async def test_model_info_supports_every_method(client: httpx.AsyncClient, name: str) -> None:
    answer = await client.post(f"{BASE}/ModelInfo", json={"name": name})
    assert answer.status_code == 200
    assert answer.json() == {"support": dict.fromkeys(METHODS, True)}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("config", [None, {}])
async def test_sizes_of_the_default_config(client: httpx.AsyncClient, name: str, config: dict[str, Any] | None) -> None:
    request = {"name": name} if config is None else {"name": name, "config": config}
    inputs = await client.post(f"{BASE}/InputSizes", json=request)
    outputs = await client.post(f"{BASE}/OutputSizes", json=request)
    assert (inputs.status_code, outputs.status_code) == (200, 200)
    assert inputs.json() == {"inputSizes": [MODELS[name][0]]}
    assert outputs.json() == {"outputSizes": [MODELS[name][1]]}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("value", [0.0, 0.5])
@pytest.mark.parametrize("method", METHODS)
async def test_every_method_answers_exactly_the_output_of_its_size(
    client: httpx.AsyncClient, name: str, value: float, method: str
) -> None:
    answer = await client.post(f"{BASE}/{method}", json=body(method, name, value))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    content = answer.json()
    assert list(content) == ["output"]
    n_in, n_out = MODELS[name]
    if method == "Evaluate":
        assert [len(vector) for vector in content["output"]] == [n_out]
    else:
        assert len(content["output"]) == (n_out if method == "ApplyJacobian" else n_in)
    assert all(np.isfinite(np.ravel(content["output"])))


@pytest.mark.parametrize("method", ["ModelInfo", "InputSizes", "OutputSizes", *METHODS])
@pytest.mark.parametrize("name", ["wrong_model_name", None, 3])
async def test_a_wrong_model_name_is_model_not_found(client: httpx.AsyncClient, method: str, name: Any) -> None:
    request = {} if name is None else {"name": name}
    answer = await client.post(f"{BASE}/{method}", json=request)
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "ModelNotFound"
    assert set(answer.json()) == {"error"}
    assert set(answer.json()["error"]) == {"type", "message"}
    assert "the models are loss, network" in answer.json()["error"]["message"]


def invalid(answer: httpx.Response, *words: str) -> None:
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": {"type": "InvalidInput", "message": answer.json()["error"]["message"]}}
    for word in words:
        assert word in answer.json()["error"]["message"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", MODELS)
async def test_wrong_input_sizes_name_the_sizes(client: httpx.AsyncClient, method: str, name: str) -> None:
    n_in = MODELS[name][0]
    longer = body(method, name, input=[[0.5] * (n_in + 1)])
    invalid(await client.post(f"{BASE}/{method}", json=longer), "/input/0", f"{n_in + 1} numbers", f"{n_in} numbers")
    two = body(method, name, input=[[0.5] * n_in] * 2)
    invalid(await client.post(f"{BASE}/{method}", json=two), "/input", "the model has 1 input")


@pytest.mark.parametrize(
    ("method", "field", "value"),
    [
        ("Gradient", "inWrt", 1),
        ("Gradient", "outWrt", 1),
        ("Gradient", "inWrt", -1),
        ("ApplyJacobian", "inWrt", 1),
        ("ApplyJacobian", "outWrt", 2),
        ("ApplyHessian", "inWrt1", 1),
        ("ApplyHessian", "inWrt2", 1),
        ("ApplyHessian", "outWrt", 1),
    ],
)
@pytest.mark.parametrize("name", MODELS)
async def test_wrong_indices(client: httpx.AsyncClient, method: str, field: str, value: int, name: str) -> None:
    answer = await client.post(f"{BASE}/{method}", json=body(method, name, **{field: value}))
    invalid(answer, f"/{field} is {value}", "it must be 0")


@pytest.mark.parametrize(
    ("method", "change", "words"),
    [
        ("Gradient", {"sens": [1.0, 2.0]}, ("/sens has 2 numbers", "output 0 has 1")),
        ("ApplyHessian", {"sens": []}, ("/sens", "must not be empty")),
        ("ApplyJacobian", {"vec": [1.0]}, ("/vec has 1 numbers", "θ, 8 numbers (W_1 3 × 2, W_2 2 × 1")),
        ("ApplyHessian", {"vec": [1.0] * 9}, ("/vec has 9 numbers",)),
        ("Evaluate", {"input": [[0.5] * 7 + ["x"]]}, ("/input/0/7",)),
        ("Evaluate", {"input": [[0.5] * 7 + [True]]}, ("/input/0/7",)),
        ("Gradient", {"sens": ["1"]}, ("/sens/0",)),
        ("Gradient", {"inWrt": "0"}, ("/inWrt",)),
        ("ApplyHessian", {"vec": None}, ("/vec",)),
        ("Evaluate", {"config": []}, ("/config",)),
    ],
)
async def test_wrong_fields_name_the_field(
    client: httpx.AsyncClient, method: str, change: dict[str, Any], words: tuple[str, ...]
) -> None:
    request = body(method, "loss", **change)
    answer = await client.post(f"{BASE}/{method}", json=request)
    invalid(answer, *words)


async def test_a_body_that_is_not_json(client: httpx.AsyncClient) -> None:
    invalid(await client.post(f"{BASE}/Evaluate", content=b"{nope"), "not valid JSON")
    invalid(await client.post(f"{BASE}/Evaluate", json=[1, 2]), "JSON object")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e999"])
async def test_a_number_that_is_not_finite_is_named_as_on_v1(client: httpx.AsyncClient, token: str) -> None:
    text = f'{{"name": "loss", "input": [[0.5, {token}]]}}'.encode()
    invalid(await client.post(f"{BASE}/Evaluate", content=text), "/input/0/1", "finite number")


@pytest.mark.parametrize(
    ("headers", "words", "kept"),
    [
        ({"Content-Type": "text/plain"}, "must be JSON", {}),
        (
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            "must not be encoded",
            {"accept-encoding": "identity"},
        ),
    ],
)
async def test_the_body_headers_are_checked_as_on_v1(
    client: httpx.AsyncClient, headers: dict[str, str], words: str, kept: dict[str, str]
) -> None:
    answer = await client.post(f"{BASE}/Evaluate", content=orjson.dumps(body("Evaluate", "loss")), headers=headers)
    assert answer.status_code == 415
    assert answer.json()["error"]["type"] == "InvalidInput"
    assert words in answer.json()["error"]["message"]
    assert {name: answer.headers.get(name) for name in kept} == kept


@pytest.mark.parametrize("padding", [0, fastjson.MIN_BYTES])
async def test_of_a_key_given_twice_the_last_counts_as_on_v1(client: httpx.AsyncClient, padding: int) -> None:
    """ŷ = x · W of one linear layer; the first ``input`` has the wrong size. With ``padding`` (an ignored member),
    the body is long enough for simdjson's reader, which refuses a duplicate key and leaves it to the next."""
    config = {"network": {"layers": [{"weights": [[1.0], [2.0], [3.0]], "activation": "linear"}]}}
    x = [1.0, 0.5, -1.5]
    fields = f'"name": "network", "config": {orjson.dumps(config).decode()}, "pad": "{" " * padding}"'
    text = f'{{{fields}, "input": [[9.0, 9.0]], "input": [{orjson.dumps(x).decode()}]}}'.encode()
    answer = await client.post(f"{BASE}/Evaluate", content=text, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"][0][0] == pytest.approx(np.dot(x, [1.0, 2.0, 3.0]), rel=1e-15)
    swapped = f'{{{fields}, "input": [{orjson.dumps(x).decode()}], "input": [[9.0, 9.0]]}}'.encode()
    invalid(await client.post(f"{BASE}/Evaluate", content=swapped), "/input/0 has 2 numbers")


LOSS_CONFIG: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.0, 0.0]], "bias": [0.0, 0.0], "activation": "tanh"},
            {"weights": [[0.0], [0.0]], "activation": "linear"},
        ]
    },
    "inputs": [[0.5], [-1.0], [2.0]],
    "targets": [1.0, 0.0, -1.0],
    "loss": "mean_squared_error",
}


async def test_a_loss_config_sets_the_sizes_and_the_loss(client: httpx.AsyncClient) -> None:
    sizes = await client.post(f"{BASE}/InputSizes", json={"name": "loss", "config": LOSS_CONFIG})
    assert sizes.json() == {"inputSizes": [2 + 2 + 2]}  # W_1 1 × 2, b_1 2, W_2 2 × 1
    theta = [0.3, -0.7, 0.1, 0.2, 1.5, -0.5]
    W1, b1, W2 = np.array([theta[:2]]), np.array(theta[2:4]), np.array([theta[4:]]).T
    X, Y = np.array(LOSS_CONFIG["inputs"]), np.array([LOSS_CONFIG["targets"]]).T
    expected = np.mean((np.tanh(X @ W1 + b1) @ W2 - Y) ** 2)
    answer = await client.post(f"{BASE}/Evaluate", json={"name": "loss", "config": LOSS_CONFIG, "input": [theta]})
    assert answer.json()["output"][0][0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "config", "words"),
    [
        ("loss", {**LOSS_CONFIG, "targets": [1.0, 0.0]}, ("/config/targets", "3 × 1")),
        ("loss", {**LOSS_CONFIG, "loss": "hinge"}, ("/config/loss",)),
        ("loss", {"network": LOSS_CONFIG["network"]}, ("/config/inputs", "/config/targets")),
        ("network", {"inputs": [1.0]}, ("/config/network",)),
        ("network", {"network": {"layers": [{"weights": [[1.0, 2.0]]}, {"weights": [[1.0]]}]}}, ("W_2 are 1 × 1",)),
        ("network", {"network": {"layers": [{"weights": [[1.0]], "activation": "cube"}]}}, ("/config/network",)),
    ],
)
async def test_a_wrong_config_names_its_field(
    client: httpx.AsyncClient, name: str, config: dict[str, Any], words: tuple[str, ...]
) -> None:
    invalid(await client.post(f"{BASE}/InputSizes", json={"name": name, "config": config}), *words)


async def test_the_service_limits_apply() -> None:
    app = create_app(Settings(max_layers=1))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post(f"{BASE}/InputSizes", json={"name": "network", "config": {}})
        invalid(answer, "max_layers = 1 (GRADSERVICE_MAX_LAYERS)")
    app = create_app(Settings(max_body_bytes=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post(f"{BASE}/Evaluate", json=body("Evaluate", "loss", value=0.123456789))
        assert answer.status_code == 413
        assert answer.json()["error"]["type"] == "InvalidInput"
        assert "max_body_bytes = 100" in answer.json()["error"]["message"]


async def test_a_flood_of_numbers_is_refused_before_parsing() -> None:
    app = create_app(Settings(max_numbers=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post(f"{BASE}/Evaluate", json={"name": "loss", "input": [[0] * 500]})
    assert answer.status_code == 413
    assert answer.json()["error"]["type"] == "InvalidInput"
    assert "max_numbers = 100 (GRADSERVICE_MAX_NUMBERS)" in answer.json()["error"]["message"]


async def test_an_overflow_is_invalid_input_not_a_500(client: httpx.AsyncClient) -> None:
    request = body("Evaluate", "network", input=[[1e308, 1e308, 1e308]])
    request["config"] = {"network": {"layers": [{"weights": [[10.0], [10.0], [10.0]], "activation": "linear"}]}}
    invalid(await client.post(f"{BASE}/Evaluate", json=request), "overflows float64")


SHAPES_CONFIG: dict[str, Any] = {
    **LOSS_CONFIG,
    "network": {"layers": [{"outputs": 2, "bias": True, "activation": "tanh"}, {"outputs": 1, "activation": "linear"}]},
}
"""LOSS_CONFIG with its layers given by their outputs n_k, without weights."""


async def test_layers_given_by_their_outputs_are_the_same_model(client: httpx.AsyncClient) -> None:
    theta = [0.3, -0.7, 0.1, 0.2, 1.5, -0.5]
    for method in METHODS:
        answers = []
        for config in (LOSS_CONFIG, SHAPES_CONFIG):
            request = body(method, "loss", config=config, input=[theta])
            if "vec" in request:
                request["vec"] = [1.0] * 6
            answers.append((await client.post(f"{BASE}/{method}", json=request)).json())
        assert "output" in answers[0]
        assert answers[0] == answers[1]


@pytest.mark.parametrize(
    ("layer", "words"),
    [
        ({"outputs": 0}, "/config/network/layers/1/outputs: must be a whole number n_2 from 1 to max_width"),
        ({"outputs": 1.5}, "/config/network/layers/1/outputs"),
        ({"outputs": 1, "weights": [[1.0], [1.0]]}, "/config/network/layers/1/weights: a layer given by its outputs"),
        ({"outputs": 1, "bias": 1}, "/config/network/layers/1/bias: true or false"),
        ({"outputs": 2, "activation": "linear"}, "/config/targets: the targets Y are 1 × 3 but the output ŷ is 3 × 2"),
    ],
)
async def test_wrong_outputs_layers(client: httpx.AsyncClient, layer: dict[str, Any], words: str) -> None:
    config = {**SHAPES_CONFIG, "network": {"layers": [SHAPES_CONFIG["network"]["layers"][0], layer]}}
    invalid(await client.post(f"{BASE}/InputSizes", json={"name": "loss", "config": config}), words)


async def test_with_an_api_key_the_routes_need_it() -> None:
    app = create_app(Settings(api_key="secret-key-for-the-test"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        refused = await client.post(f"{BASE}/Evaluate", json=body("Evaluate", "loss"))
        assert refused.status_code == 401
        headers = {"Authorization": "Bearer secret-key-for-the-test"}
        answered = await client.post(f"{BASE}/Evaluate", json=body("Evaluate", "loss"), headers=headers)
        assert answered.status_code == 200
