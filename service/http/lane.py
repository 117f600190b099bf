"""The direct lane (``GRADSERVICE_DIRECT_LANE``, on by default): a ``POST`` to a network route, served past the router.

The network endpoints take the request alone (:class:`service.api.routing.RequestRoute`). For a ``POST`` to one
of their paths, :class:`DirectLane`, the innermost middleware a ``POST`` passes, awaits the endpoint itself and,
when it raises, the app's handler of that exception, which is all that FastAPI's router, its exception middleware
and its exit stack would do for it. Any other request, and every request when the setting is off, goes through
them. ``tests/service/http/test_lane.py`` sends a corpus of requests, valid and invalid, to every endpoint with
every option through both paths and finds the same status, headers and body; ``bench/README.md`` says what the
lane saves.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Any]


class DirectLane:
    """ASGI middleware: serves a ``POST`` to one of ``endpoints`` (path → endpoint) by awaiting the endpoint.

    ``exception_handlers`` is the app's own mapping (exception class or status code → handler), looked up as
    Starlette does: an ``HTTPException``'s status code, then the class and its bases; an exception without a
    handler (``Exception`` itself) goes on up to the server error middleware, as from the router. A request
    under a ``root_path``, or traced by FastAPI's telemetry (whose router names the span), goes the usual way.
    """

    def __init__(
        self, app: ASGIApp, endpoints: Mapping[str, Endpoint], exception_handlers: Mapping[Any, ExceptionHandler]
    ) -> None:
        self.app, self.endpoints, self.exception_handlers = app, endpoints, exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["path"]) if _takes(scope) else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as error:
            handler = self._handler(error)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, error)
            else:
                response = await run_in_threadpool(handler, request, error)
        await response(scope, receive, send)

    def _handler(self, error: Exception) -> ExceptionHandler | None:
        handlers = self.exception_handlers
        if isinstance(error, HTTPException) and error.status_code in handlers:
            by_status: ExceptionHandler = handlers[error.status_code]
            return by_status
        for cls in type(error).__mro__:
            if cls is Exception:
                return None
            if cls in handlers:
                by_class: ExceptionHandler = handlers[cls]
                return by_class
        return None


def _takes(scope: Scope) -> bool:
    """A POST, not under a ``root_path``, and not traced by FastAPI's telemetry."""
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and not scope.get("root_path")
        and scope.get("fastapi.telemetry") is None
    )
