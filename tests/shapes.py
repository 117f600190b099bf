"""Every JSON answer checked against its endpoint's documented response schema (the OpenAPI document's).

The schemas come from the pydantic response models (``service/api/schemas/``); ``include`` may leave any field
out, so none is required, but a field that is not documented, or of another type, fails here. Objects of the
service's own models get ``additionalProperties: false``, so that the documented shape and the sent one cannot
drift apart.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import httpx
import jsonschema

from service.app import create_app


def _closed(node: Any) -> Any:
    """``node`` with every object schema that lists its properties closed to other properties."""
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


@functools.cache
def validators() -> dict[str, jsonschema.protocols.Validator]:
    """A validator of the 200 JSON answer of every ``POST`` route that documents one, by path."""
    document = create_app().openapi()
    components = _closed(copy.deepcopy(document["components"]))
    found: dict[str, jsonschema.protocols.Validator] = {}
    for path, item in document["paths"].items():
        content = item.get("post", {}).get("responses", {}).get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is not None and "$ref" in schema:
            found[path] = jsonschema.Draft202012Validator({**schema, "components": components})
    return found


def check_answer(response: httpx.Response) -> None:
    """Raise ``jsonschema.ValidationError`` if a 200 JSON answer of a documented route does not fit its schema."""
    validator = validators().get(response.request.url.path)
    if validator is None or response.status_code != 200:
        return
    if response.headers.get("content-type", "").split(";")[0] != "application/json":
        return
    validator.validate(response.json())


async def check_answer_hook(response: httpx.Response) -> None:
    """An httpx response event hook running :func:`check_answer` on each answer."""
    await response.aread()
    check_answer(response)
