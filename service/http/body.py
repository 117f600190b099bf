"""The request-body dependency of the network routes: a JSON body read and validated as a request model.

How the bytes become a model is the fast path's business (:func:`service.fastpath.read_request`);
:mod:`service.http.openapi` documents the body.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from service.fastpath import read_request
from service.http.metrics import observe_request
from service.http.problems import ProblemError
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
        payload = read_request(model, body, app_settings(request))
        observe_request(request, payload)
        return payload

    return Depends(parse)


def app_settings(request: Request) -> Settings:
    """The settings of the app serving ``request``: ``create_app(settings)``'s, else the environment's."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()
