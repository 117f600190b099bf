"""The OpenAPI document, its examples, the docs page and the health check."""

from __future__ import annotations

import copy
import json
from typing import Any, get_args

import httpx
import numpy as np
import pytest
from pydantic import BaseModel
from texts import CHECK_NOISE, same_json

import gradcore
from service.api.schemas.check import GradientsCheckRequest
from service.api.schemas.examples import SEED_HESSIAN_VECTOR, SEED_TWO_LAYER, SEED_WRONG_SIGN
from service.api.schemas.network import LayerSpec
from service.api.schemas.requests import ForwardRequest, GradientsRequest, LossRequest
from service.api.schemas.verify import GradientsVerifyRequest

pytestmark = pytest.mark.anyio

ENDPOINTS = {
    "/v1/forward": "ForwardRequest",
    "/v1/loss": "LossRequest",
    "/v1/gradients": "GradientsRequest",
    "/v1/gradients/check": "GradientsCheckRequest",
    "/v1/gradients/verify": "GradientsVerifyRequest",
    "/v1/gradients/hessian-vector": "HessianVectorRequest",
}
TEACHING_ENDPOINTS = {
    "/v1/derivation": "DerivationRequest",
    "/v1/train": "TrainRequest",
    "/v1/assignments": "AssignmentsRequest",
}
"""Their examples and answers are tested in tests/service/test_http_derivation.py and test_http_train.py."""


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    """Follow a local ``#/…`` reference inside the document."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert part in node, f"{ref} does not resolve: no {part!r}"
        node = node[part]
    assert isinstance(node, dict)
    return node


def refs(node: Any) -> list[str]:
    """Every ``$ref`` anywhere under a node."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def request_body(document: dict[str, Any], path: str) -> dict[str, Any]:
    operation = document["paths"][path]["post"]
    assert operation["requestBody"]["required"] is True
    media: dict[str, Any] = operation["requestBody"]["content"]["application/json"]
    return media


async def test_every_endpoint_is_documented(document: dict[str, Any]) -> None:
    assert set(document["paths"]) == {*ENDPOINTS, *TEACHING_ENDPOINTS, "/v1/grade", "/healthz", "/readyz", "/metrics"}
    assert set(document["paths"]["/healthz"]) == {"get"}
    for path in [*ENDPOINTS, *TEACHING_ENDPOINTS, "/v1/grade"]:
        assert set(document["paths"][path]) == {"post"}


@pytest.mark.parametrize(("path", "model"), ENDPOINTS.items(), ids=list(ENDPOINTS))
async def test_request_body_ref_resolves_and_has_the_seed_example(
    document: dict[str, Any], path: str, model: str
) -> None:
    media = request_body(document, path)
    assert media["schema"] == {"$ref": f"#/components/schemas/{model}"}
    schema = resolve(document, media["schema"]["$ref"])
    assert {"network", "inputs"} <= set(schema["properties"])
    assert {key: media["example"][key] for key in SEED_TWO_LAYER} == SEED_TWO_LAYER


async def test_every_ref_in_the_document_resolves(document: dict[str, Any]) -> None:
    all_refs = refs(document)
    assert "#/components/schemas/LayerSpec" in all_refs
    for ref in all_refs:
        resolve(document, ref)


@pytest.mark.parametrize("path", [*ENDPOINTS, *TEACHING_ENDPOINTS])
async def test_errors_are_documented_as_problems(document: dict[str, Any], path: str) -> None:
    responses = document["paths"][path]["post"]["responses"]
    for status in ("400", "415", "422"):
        content = responses[status]["content"]
        assert set(content) == {"application/problem+json"}
        problem = resolve(document, content["application/problem+json"]["schema"]["$ref"])
        assert set(problem["required"]) == {"type", "title", "status", "detail"}


@pytest.mark.parametrize("path", list(ENDPOINTS))
async def test_posting_the_documented_example_succeeds(
    client: httpx.AsyncClient, document: dict[str, Any], path: str
) -> None:
    example = request_body(document, path)["example"]
    response = await client.post(path, json=example)
    assert response.status_code == 200, response.text
    data = response.json()
    # The seed's case 5: ŷ = σ(σ(x · W_1) · W_2), one example, one output.
    x = np.array([example["inputs"]])
    W1, W2 = (np.array(layer["weights"]) for layer in example["network"]["layers"])
    y_hat = 1 / (1 + np.exp(-(1 / (1 + np.exp(-(x @ W1))) @ W2)))
    if "output" in data:
        np.testing.assert_allclose(data["output"], y_hat, rtol=1e-12)
    if "loss" in data:
        assert data["loss"] == pytest.approx(0.5 * (example["targets"] - y_hat[0, 0]) ** 2, rel=1e-12)


def worst_within_noise(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """``expected`` with each layer's ``worst`` taken from ``actual`` when both are worst within the noise.

    At ε = 1e-6 the relative errors of a correct gradient are rounding noise (~1e-10), so another machine
    may name another entry; the documented one must then be an entry of the layer whose error ties the worst.
    """
    expected = copy.deepcopy(expected)
    for real, documented in zip(actual.get("layers", []), expected.get("layers", []), strict=True):
        if "worst" not in documented or documented["worst"] is None or real["worst"] is None:
            continue
        worst = documented["worst"]
        if (worst["row"], worst["column"]) != (real["worst"]["row"], real["worst"]["column"]):
            assert worst["parameter"] == "W"
            assert worst["analytic"] == pytest.approx(real["analytic_gradient"][worst["row"]][worst["column"]])
            assert worst["relative_error"] == pytest.approx(real["max_relative_error"], abs=1e-9)
            documented["worst"] = real["worst"]
    return expected


@pytest.mark.parametrize("path", [*ENDPOINTS, *TEACHING_ENDPOINTS])
async def test_the_200_example_is_the_real_answer_to_the_request_example(
    client: httpx.AsyncClient, document: dict[str, Any], path: str
) -> None:
    operation = document["paths"][path]["post"]
    example = request_body(document, path)["example"]
    media = operation["responses"]["200"]["content"]["application/json"]
    assert media["schema"]["$ref"].startswith("#/components/schemas/")  # the example sits beside the schema
    documented = media["example"]
    response = await client.post(path, json=example)
    assert response.status_code == 200, response.text
    answer = response.json()
    try:
        same_json(answer, worst_within_noise(answer, documented), noise=CHECK_NOISE)
    except AssertionError:
        print(f"the real answer to the request example of {path}:\n{json.dumps(answer, ensure_ascii=False)}")
        raise


async def test_the_200_examples_show_the_seed_case(document: dict[str, Any]) -> None:
    """Not placeholders: the seed's case 5 has L ≈ 0.0811 and ŷ ≈ 0.597; its claim is sign_flipped twice."""
    paths = document["paths"]

    def answer(path: str) -> dict[str, Any]:
        example: dict[str, Any] = paths[path]["post"]["responses"]["200"]["content"]["application/json"]["example"]
        return example

    for path in ("/v1/loss", "/v1/gradients", "/v1/gradients/check"):
        assert answer(path)["loss"] == pytest.approx(0.081054582798, rel=1e-9)
    assert answer("/v1/forward")["output"][0][0] == pytest.approx(0.597372174836, rel=1e-9)
    assert [layer["verdict"] for layer in answer("/v1/gradients/verify")["layers"]] == ["sign_flipped"] * 2
    assert [step["symbol"] for step in answer("/v1/derivation")["steps"]][-1] == "∂L/∂W_1"
    assert len(answer("/v1/train")["loss_history"]) == 6


async def test_the_example_is_not_mutated_by_requests(client: httpx.AsyncClient) -> None:
    special = {"/v1/gradients/verify": SEED_WRONG_SIGN, "/v1/gradients/hessian-vector": SEED_HESSIAN_VECTOR}
    examples = {path: special.get(path, SEED_TWO_LAYER) for path in ENDPOINTS}
    before = copy.deepcopy(examples)
    for path, example in examples.items():
        assert (await client.post(path, json=example)).status_code == 200
    assert before == examples


async def test_docs_page_is_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def literal_names(model: type[BaseModel], field: str) -> set[str]:
    annotation = model.model_fields[field].annotation
    names = set(get_args(annotation))
    assert names
    assert all(isinstance(name, str) for name in names)
    return names


def test_activation_names_are_gradcore_activations() -> None:
    assert literal_names(LayerSpec, "activation") == set(gradcore.ACTIVATIONS)


@pytest.mark.parametrize(
    "model",
    [ForwardRequest, LossRequest, GradientsRequest, GradientsCheckRequest, GradientsVerifyRequest],
    ids=lambda m: m.__name__,
)
def test_loss_names_are_gradcore_losses(model: type[BaseModel]) -> None:
    assert literal_names(model, "loss") == set(gradcore.LOSSES)


async def test_documented_enums_are_gradcore_names(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert set(schemas["LayerSpec"]["properties"]["activation"]["enum"]) == set(gradcore.ACTIVATIONS)
    for model in [*ENDPOINTS.values(), *TEACHING_ENDPOINTS.values()]:
        assert set(schemas[model]["properties"]["loss"]["enum"]) == set(gradcore.LOSSES)
