"""Every field of every response model of the service is an attribute of the matching client result, and back.

The walk starts at the response model of every route of the app, so that a new endpoint, a new
field or a new nested model cannot be forgotten by the client: it goes into each list item and
nested object (``layers``, ``steps``, ``bias``, ``shapes``, ``network`` …) and pairs each model with
the client class that the result declares for that field.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel

import gradclient
from gradclient.results import Result
from service.api.schemas.compact import CompactTensor
from service.app import create_app

RESULTS: dict[str, type[Result]] = {
    "/v1/forward": gradclient.ForwardResult,
    "/v1/loss": gradclient.LossResult,
    "/v1/gradients": gradclient.GradientsResult,
    "/v1/gradients/check": gradclient.CheckResult,
    "/v1/gradients/verify": gradclient.VerifyResult,
    "/v1/train": gradclient.TrainResult,
    "/v1/derivation": gradclient.DerivationResult,
    "/v1/assignments": gradclient.AssignmentsResult,
    "/v1/gradients/hessian-vector": gradclient.HessianVectorResult,
    "/v1/grade": gradclient.GradeResult,
}
"""The client's result class of each route that answers a response model."""


def subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in subclasses(child))]


def response_models() -> dict[str, type[BaseModel]]:
    """The model of the JSON answer of every route of the app's OpenAPI document (the service's own models)."""
    app = create_app()
    named = {model.__name__: model for model in subclasses(BaseModel) if model.__module__.startswith("service.")}
    models = {}
    for path, operations in app.openapi()["paths"].items():
        for operation in operations.values():
            schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema and "$ref" in schema:
                models[path] = named[schema["$ref"].rsplit("/", 1)[1]]
    return models


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models in a field's annotation (list items, unions, optionals), compact tensors left out."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [] if annotation is CompactTensor else [annotation]
    return [model for arg in typing.get_args(annotation) for model in nested_models(arg)]


def nested_result(annotation: Any) -> type[Result] | None:
    """The result class in a client field's annotation (``tuple[CheckLayer, ...]``, ``Verdict | None`` …)."""
    if isinstance(annotation, type) and issubclass(annotation, Result):
        return annotation
    return next((found for arg in typing.get_args(annotation) if (found := nested_result(arg))), None)


def walk(model: type[BaseModel], result: type[Result], path: str) -> list[str]:
    """Every mismatch between ``model`` and ``result``, recursively; ``path`` names where it is."""
    declared = result.field_names()
    missing = [f"{path}.{name}: not on {result.__name__}" for name in model.model_fields if name not in declared]
    extra = [f"{path}.{name}: not in {model.__name__}" for name in declared if name not in model.model_fields]
    hints = typing.get_type_hints(result)
    for name, info in model.model_fields.items():
        for nested in nested_models(info.annotation):
            client = nested_result(hints.get(name))
            if client is None:
                missing.append(f"{path}.{name}: {result.__name__} reads it without a class for {nested.__name__}")
            else:
                missing += walk(nested, client, f"{path}.{name}")
    return missing + extra


def test_every_route_with_a_response_model_has_a_result_class() -> None:
    assert set(response_models()) == set(RESULTS)


@pytest.mark.parametrize("path", sorted(RESULTS))
def test_every_field_is_on_the_result_class(path: str) -> None:
    assert walk(response_models()[path], RESULTS[path], path) == []


def test_the_walk_finds_a_missing_field() -> None:
    """The test above would notice a field added to a nested model later."""

    class Later(BaseModel):
        numerical_gradient: list[list[float]]
        worst_entry: list[int]

    class LaterResponse(BaseModel):
        layers: list[Later]

    assert walk(LaterResponse, gradclient.CheckResult, "/later") == [
        "/later.layers.worst_entry: not on CheckLayer",
        *[
            f"/later.layers.{name}: not in Later"
            for name in gradclient.CheckLayer.field_names()
            if name != "numerical_gradient"
        ],
        *[f"/later.{name}: not in LaterResponse" for name in gradclient.CheckResult.field_names() if name != "layers"],
    ]


def test_every_declared_type_has_a_reader() -> None:
    """Every result class of the package reads a JSON object (an unknown declared type would raise TypeError)."""
    classes = [value for value in vars(gradclient).values() if isinstance(value, type) and issubclass(value, Result)]
    assert len(classes) >= 18
    for cls in classes:
        empty = cls.from_json({})
        assert all(getattr(empty, name) is None for name in cls.field_names())


def test_unknown_fields_are_kept_in_raw() -> None:
    result = gradclient.LossResult.from_json({"loss": 0.5, "output": [[0.5]], "added_later": {"x": 1}})
    assert result.loss == 0.5
    assert result.raw["added_later"] == {"x": 1}
    assert isinstance(result.loss, float)


def test_union_types_are_read() -> None:
    assert isinstance(typing.get_type_hints(gradclient.Verdict)["factor"], types.UnionType)
