"""Reading JSON request bodies, and writing JSON responses that hold numpy arrays.

FastAPI's own body handling decodes with the standard library and then
validates Python objects. Here the raw bytes go to orjson and the model's
validators (:func:`parse_json`; first simdjson, :mod:`service.fastjson`, where
it can) and, when they fail, to pydantic's
``model_validate_json``, which reports NaN, ±Infinity and 1e999 with the
pointer of the field, and refuses absurdly deep nesting without a
RecursionError. :mod:`service.openapi` still documents the body. Matrices
take the fast path of :mod:`service.schemas.tensor` when the text allows it.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from service import fastjson, limits
from service.metrics import observe_request
from service.problems import ProblemError
from service.schemas.tensor import FAST, fast_context
from service.settings import Settings, get_settings

JSON_TYPES = ("application/json",)
M = TypeVar("M", bound=BaseModel)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in JSON_TYPES or media_type.endswith("+json")


def json_body(model: type[M]) -> Any:
    """A dependency that validates the request body as ``model``.

    Usage: ``payload: Annotated[GradientsRequest, json_body(GradientsRequest)]``.
    """

    async def parse(request: Request) -> M:
        content_type = request.headers.get("content-type")
        if content_type is not None and not _is_json(content_type):
            raise ProblemError(
                415,
                f"The request body must be JSON (Content-Type: application/json), not {content_type[:100]!r}.",
                type_="/problems/unsupported-media-type",
            )
        body = await request.body()
        payload = parse_json(model, body, app_settings(request))
        observe_request(request, payload)
        return payload

    return Depends(parse)


def app_settings(request: Request) -> Settings:
    """The settings of the app serving ``request``: ``create_app(settings)``'s, else the environment's."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def parse_json(model: type[M], body: bytes, settings: Settings | None = None) -> M:
    """Validate a JSON body as ``model``: the fast way when the body is valid, the reference way when it is not.

    simdjson (:mod:`service.fastjson`) or else orjson reads the text into
    Python objects faster than pydantic's own JSON parser, and
    ``model_validate`` checks them with the same validators; simdjson's
    numeric arrays arrive as float64 ndarrays, already checked. When that
    fails (not JSON, not an object, any invalid field), ``model_validate_json``
    reads the text again and raises the errors that the service has always
    reported, with their pointers and messages.
    With ``settings``, the request models also check the limits of :mod:`service.limits`, and the body
    goes through :func:`service.limits.screen_body` before orjson reads it. simdjson's path needs no screen
    for a body too short to hold more numbers than the limit (:func:`service.limits.could_flood`), since
    :data:`service.fastjson.MAX_OBJECTS` bounds the other values it makes; a longer body is screened
    before anything reads it. When simdjson's path fails for any reason, the limits included, the screen
    and then orjson's path decide, so every answer is the one the reference gives.
    """
    screened = False
    if settings is not None and limits.could_flood(body, settings):
        limits.screen_body(body, settings)
        screened = True
    data = fastjson.loads(body) if len(body) >= fastjson.MIN_BYTES else None
    if data is not None:
        # Lists that simdjson's path left as lists take the strict validator: no scan for booleans is needed.
        try:
            return model.model_validate(data, context={FAST: False, "settings": settings})
        except (ValidationError, ProblemError):
            pass
    if settings is not None and not screened:
        limits.screen_body(body, settings)
    context: dict[str, Any] = {**fast_context(body), "settings": settings}
    if data is None:
        data = _orjson_object(body)
        if data is not None:
            try:
                return model.model_validate(data, context=context)
            except ValidationError:
                pass
    return model.model_validate_json(body, context=context)


def _orjson_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


REQUEST_MODELS: dict[str, type[BaseModel]] = {}
"""Every model documented by :func:`documented_body`, by name; :mod:`service.openapi` adds their schemas."""


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route whose body :func:`json_body` reads: the body's schema and example."""
    REQUEST_MODELS[model.__name__] = model
    media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    examples = model.model_json_schema().get("examples")
    if examples:
        media["example"] = examples[0]
    return {"requestBody": {"required": True, "content": {"application/json": media}}}


def _contiguous(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value, dtype=np.float64)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class ArrayJSONResponse(Response):
    """A JSON response whose content may hold float64 numpy arrays, serialised by orjson without ``tolist``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_contiguous, option=orjson.OPT_SERIALIZE_NUMPY)
