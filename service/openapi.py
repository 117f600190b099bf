"""The OpenAPI document: FastAPI's own, plus the request bodies read by :func:`service.body.json_body`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.body import REQUEST_MODELS
from service.problems import PROBLEM_JSON

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


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """Generate the OpenAPI document of ``app`` once and cache it on the app."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    for model in REQUEST_MODELS.values():
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
    app.openapi_schema = document
    return document
