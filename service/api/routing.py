"""The network routes' route class: FastAPI's :class:`~fastapi.routing.APIRoute`, its endpoint called directly.

A network endpoint takes the request alone, ``async def gradients(request: Request) -> Response``, reads its
body with :func:`service.api.body.read_json` and answers with a ready response. For such an endpoint
:class:`RequestRoute`'s ASGI app makes the request, awaits the endpoint and sends its response: FastAPI's
dependency solving and exit stacks would do nothing for it. An exception goes up to the app's exception
middleware, whose handlers (:func:`service.http.problems.install`) answer it as they would from FastAPI's own
route. Every other part of the route (path, methods, OpenAPI operation, matching, middleware) is FastAPI's.
Any other endpoint gets FastAPI's own handler; ``tests/service/api/test_routing.py`` proves both answer alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

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
            self.app = _direct(endpoint)


def _direct(endpoint: Endpoint) -> ASGIApp:
    """The ASGI app of ``endpoint``: its response to the request of the scope."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    return app
