"""The OpenAPI document: FastAPI's own, plus the request bodies read by :func:`service.api.body.read_json`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from service.api.schemas.examples import ANSWERS
from service.domain.settings import Settings
from service.http.guards import OPEN_PATHS
from service.http.problems import PROBLEM_JSON

REF = "#/components/schemas/{model}"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "limit": {
            "type": "object",
            "description": "The limit a request exceeds: its setting's name, environment variable and value.",
            "required": ["name", "setting", "value"],
            "properties": {"name": {"type": "string"}, "setting": {"type": "string"}, "value": {"type": "integer"}},
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "message"],
                "properties": {
                    "pointer": {"type": "string", "description": "JSON pointer (RFC 6901) to the offending field."},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}}}


def build_openapi(app: FastAPI, request_models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """Generate the OpenAPI document of ``app``, with the schemas of ``request_models``, once; cached on the app."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    for model in request_models:
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for path in document["paths"].values():
        for operation in path.values():
            if "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                responses["400"] = _problem("The body is not valid JSON.")
                responses["415"] = _problem("The body is not JSON.")
                responses["422"] = _problem("The network, inputs or targets are invalid or do not fit together.")
                responses["413"] = _problem("The body is larger than a limit (bytes or numbers).")
                _document_answer(operation)
        _document_guards(app, document)
    app.openapi_schema = document
    return document


def _document_answer(operation: dict[str, Any]) -> None:
    """Show the real answer to the request example as the 200 example (:data:`examples.ANSWERS`).

    Set on the finished document: FastAPI drops the ``null`` members of what it generates, answers have some.
    """
    model = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    if model in ANSWERS:
        answer = (
            operation["responses"].setdefault("200", {}).setdefault("content", {}).setdefault("application/json", {})
        )
        answer["example"] = ANSWERS[model]


def _document_guards(app: FastAPI, document: dict[str, Any]) -> None:
    """Add the answers of :mod:`service.http.guards`: 503 when busy; with an API key, 401 and the security scheme."""
    settings = getattr(app.state, "settings", None)
    with_key = isinstance(settings, Settings) and settings.api_key is not None
    if with_key:
        document["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    for path, item in document["paths"].items():
        if path in OPEN_PATHS:
            continue
        for operation in item.values():
            busy = _problem("Too many requests in flight; retry after `Retry-After` seconds.")
            busy["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
            operation["responses"]["503"] = busy
            if with_key:
                operation["security"] = [{"bearer": []}, {"apiKey": []}]
                operation["responses"]["401"] = _problem("The API key is missing or wrong.")


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route whose body :func:`~service.api.body.read_json` reads: its schema and example.

    The schema itself is added by :func:`build_openapi`, from the models :func:`service.app.create_app` passes.
    """
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    examples = model.model_json_schema().get("examples")
    if examples:
        media["example"] = examples[0]
    return {"requestBody": {"required": True, "content": {"application/json": media}}}
