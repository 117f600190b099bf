"""``read_request``: a JSON body validated as a request model, by the fastest reader that agrees with the reference."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from service.domain.errors import ServiceError
from service.domain.fastpath import fastjson
from service.domain.fastpath.context import ReadContext
from service.domain.fastpath.screen import could_flood, screen_body, screen_lengths
from service.domain.settings import Settings

M = TypeVar("M", bound=BaseModel)


def read_request(model: type[M], body: bytes, settings: Settings | None = None) -> M:
    """Validate a JSON body as ``model``: the fast way when the body is valid, the reference way when it is not.

    simdjson (:mod:`service.domain.fastpath.fastjson`) or else orjson reads the text into
    Python objects faster than pydantic's own JSON parser, and
    ``model_validate`` checks them with the same validators; simdjson's
    numeric arrays arrive as float64 ndarrays, already checked. When that
    fails (not JSON, not an object, any invalid field), ``model_validate_json``
    reads the text again and raises the errors that the service has always
    reported, with their pointers and messages.
    With ``settings``, the request models also check the limits of :mod:`service.domain.limits`, and the body
    goes through :func:`~.screen.screen_body` before orjson reads it. simdjson's path needs no screen
    for a body too short to hold more numbers than the limit (:func:`~.screen.could_flood`), since
    :data:`service.domain.fastpath.fastjson.MAX_OBJECTS` bounds the other values it makes; a longer body is screened
    before anything reads it. The lists that are validated item by item are counted
    (:func:`~service.domain.fastpath.screen.screen_lengths`) before any item is. When simdjson's path fails for any
    reason, the limits included, the screen and then orjson's path decide, so every answer is the one the
    reference gives.
    """
    screened = False
    if settings is not None and could_flood(body, settings):
        screen_body(body, settings)
        screened = True
    screen = None if settings is None else functools.partial(screen_lengths, settings=settings)
    data = None
    if len(body) >= fastjson.MIN_BYTES:
        data = fastjson.loads(body, screen)
    if data is not None:
        # Lists that simdjson's path left as lists take the strict validator: no scan for booleans is needed.
        try:
            return model.model_validate(data, context=ReadContext(settings, finite=True))
        except (ValidationError, ServiceError):
            pass
    if settings is not None and not screened:
        screen_body(body, settings)
    context = ReadContext.of_text(body, settings)
    if data is None:
        data = _orjson_object(body)
        if data is not None:
            if screen is not None:
                screen(data)
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
