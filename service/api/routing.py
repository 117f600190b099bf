"""The network routes' route class: FastAPI's :class:`~fastapi.routing.APIRoute`, its endpoint called directly.

A network endpoint takes the request alone, ``async def gradients(request: Request) -> Response``, reads its
body with :func:`service.api.body.read_json` and answers with a ready response. For such an endpoint
:class:`RequestRoute` runs it under Starlette's ``request_response`` (the request object and the exception
handlers), without FastAPI's dependency solving and exit stacks, which would do nothing for it. Every other
part of the route (path, methods, OpenAPI operation, matching, middleware, exception handlers) is FastAPI's.
Any other endpoint gets FastAPI's own handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def takes_the_request_alone(endpoint: Callable[..., Any]) -> bool:
    """Whether ``endpoint`` is an ``async def`` whose one parameter is annotated as the :class:`Request`."""
    if not inspect.iscoroutinefunction(endpoint):
        return False
    parameters = list(inspect.signature(endpoint, eval_str=True).parameters.values())
    return len(parameters) == 1 and parameters[0].annotation is Request


class RequestRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` whose endpoint, when it takes the request alone, is called directly."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if takes_the_request_alone(endpoint):
            self.app = request_response(endpoint)
