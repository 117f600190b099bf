"""``include`` and ``encoding`` work on every endpoint whose schema offers them, with each endpoint's own names."""

from __future__ import annotations

import base64
import json
import typing
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import BaseModel

from service.api.schemas import options
from service.api.schemas.check import CheckResponse, GradientsCheckRequest
from service.api.schemas.derivation import DerivationRequest, DerivationResponse
from service.api.schemas.hessian import HessianVectorRequest, HessianVectorResponse
from service.api.schemas.requests import ForwardRequest, GradientsRequest, LossRequest
from service.api.schemas.responses import ForwardResponse, GradientsResponse, LossResponse
from service.api.schemas.train import TrainRequest, TrainResponse
from service.api.schemas.verify import GradientsVerifyRequest, VerifyResponse

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ITEMS = ("layers", "steps")

ENDPOINTS: dict[str, tuple[type[BaseModel], type[BaseModel], str]] = {
    "/v1/forward": (ForwardRequest, ForwardResponse, "seed_case_5.json"),
    "/v1/loss": (LossRequest, LossResponse, "seed_case_5.json"),
    "/v1/gradients": (GradientsRequest, GradientsResponse, "seed_case_5.json"),
    "/v1/train": (TrainRequest, TrainResponse, "xor_training.json"),
    "/v1/gradients/check": (GradientsCheckRequest, CheckResponse, "seed_case_5.json"),
    "/v1/gradients/verify": (GradientsVerifyRequest, VerifyResponse, "verify_wrong_sign.json"),
    "/v1/derivation": (DerivationRequest, DerivationResponse, "seed_case_5.json"),
    "/v1/gradients/hessian-vector": (HessianVectorRequest, HessianVectorResponse, "hessian_vector.json"),
}


def response_fields(model: type[BaseModel]) -> set[str]:
    """The top-level fields of ``model`` and the fields of the items of its ``layers`` or ``steps`` list."""
    return set(model.model_fields) | item_fields(model)


def item_fields(model: type[BaseModel]) -> set[str]:
    """The fields of the items of ``model``'s ``layers`` or ``steps`` list; none without one."""
    names: set[str] = set()
    for key in ITEMS:
        if key in model.model_fields:
            [item] = typing.get_args(model.model_fields[key].annotation)
            names |= set(item.model_fields)
    return names


def include_names(request: type[BaseModel]) -> set[str]:
    annotation = request.model_fields["include"].annotation  # list[Literal[...]] | None
    [listed, _] = typing.get_args(annotation)
    [literal] = typing.get_args(listed)
    return set(typing.get_args(literal))


def body_of(example: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / example).read_text())
    if example == "xor_training.json":
        body["steps"] = 3
    return body


@pytest.mark.parametrize("path", ENDPOINTS)
def test_include_names_exactly_the_fields_of_the_answer(path: str) -> None:
    request, response, _ = ENDPOINTS[path]
    assert include_names(request) == response_fields(response)
    assert {"include", "encoding"} <= set(request.model_json_schema()["properties"])


def arrays_in(value: Any) -> int:
    """How many nested lists of numbers (vectors or matrices) ``value`` holds."""
    if isinstance(value, dict):
        if set(value) == {"shape", "dtype", "data"}:
            return 0
        return sum(arrays_in(item) for item in value.values())
    if isinstance(value, list):
        if value and all(isinstance(item, float) for item in value):
            return 1
        if value and all(isinstance(row, list) and row and isinstance(row[0], float) for row in value):
            return 1
        return sum(arrays_in(item) for item in value)
    return 0


def decoded(value: Any) -> Any:
    """``value`` with every compact tensor read back as nested lists."""
    if isinstance(value, dict):
        if set(value) == {"shape", "dtype", "data"}:
            return np.frombuffer(base64.b64decode(value["data"]), "<f8").reshape(value["shape"]).tolist()
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def close(a: Any, b: Any) -> bool:
    """Equal structures, numbers equal to 1e-12 relative (the two answers are computed separately)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0.0))
    return bool(a == b)


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_base64_encodes_every_array_and_changes_nothing_else(client: httpx.AsyncClient, path: str) -> None:
    body = body_of(ENDPOINTS[path][2])
    plain = await client.post(path, json=body)
    compact = await client.post(path, json={**body, "encoding": "base64"})
    assert plain.status_code == compact.status_code == 200, compact.text
    assert arrays_in(plain.json()) > 0
    assert arrays_in(compact.json()) == 0, "every array is a compact tensor"
    assert close(decoded(compact.json()), plain.json())


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_include_keeps_exactly_the_named_fields(client: httpx.AsyncClient, path: str) -> None:
    _, response, example = ENDPOINTS[path]
    top = [name for name, field in response.model_fields.items() if field.is_required() and name not in ITEMS]
    body = body_of(example)
    both = set(response.model_fields) & item_fields(response)  # names of both levels keep both
    for name in top:
        answer = await client.post(path, json={**body, "include": [name]})
        assert answer.status_code == 200, answer.text
        assert list(answer.json()) == [name] if name not in both else [name, *ITEMS[:1]]
    items = [key for key in ITEMS if key in response.model_fields]
    if items:
        [key] = items
        [item] = typing.get_args(response.model_fields[key].annotation)
        name = next(name for name, field in item.model_fields.items() if field.is_required())
        answer = await client.post(path, json={**body, "include": [name]})
        assert answer.status_code == 200, answer.text
        content = answer.json()
        assert list(content) in ([key], [name, key])  # a name of both levels ("passed", "kinks") keeps both
        assert all(list(entry) == [name] for entry in content[key] if entry)


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_include_refuses_a_name_the_answer_lacks(client: httpx.AsyncClient, path: str) -> None:
    body = body_of(ENDPOINTS[path][2])
    answer = await client.post(path, json={**body, "include": ["no_such_field"]})
    assert answer.status_code == 422
    assert [error["pointer"] for error in answer.json()["errors"]] == ["/include/0"]


@pytest.mark.parametrize("option", [{"include": ["steps"]}, {"encoding": "base64"}])
async def test_markdown_derivation_refuses_json_options(client: httpx.AsyncClient, option: dict[str, Any]) -> None:
    body = {**body_of("seed_case_5.json"), **option}
    answer = await client.post("/v1/derivation", json=body, headers={"Accept": "text/markdown"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [error["pointer"] for error in answer.json()["errors"]] == [f"/{next(iter(option))}"]


def test_every_request_model_with_include_is_covered() -> None:
    """A new endpoint with ``include`` joins ENDPOINTS, so that its names are checked against its answer."""
    offered = {name for name in dir(options) if name.endswith("Field") and name != "Field"}
    covered = {typing.get_args(request.model_fields["include"].annotation)[0] for request, _, _ in ENDPOINTS.values()}
    assert len(offered) == len(covered) == len(ENDPOINTS)
