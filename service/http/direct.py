"""A FastAPI route class whose handler calls the endpoint directly: the hot routes' request path.

FastAPI handles a request by solving the endpoint's dependency graph: an
exit stack, a cache of dependency values, parameter extraction and checks for
query, header, cookie and body parameters, background tasks, then the
response model. The network routes have one dependency only, the request body
read and validated by :func:`service.http.body.json_body`, and answer with a ready
:class:`~starlette.responses.Response`, so none of that machinery does
anything for them, yet it costs about as much as the whole gradient of a
small network.

:class:`DirectRoute` keeps everything else about the route (its path,
methods, OpenAPI operation, response model in the docs, exception handlers,
middleware) and replaces only the per-request handler, when the endpoint
qualifies: an ``async def`` whose every parameter is a dependency that needs
nothing but the request. Any other endpoint keeps FastAPI's own handler.

Use it as ``APIRouter(route_class=DirectRoute)``. Its handler calls the
dependencies themselves: ``app.dependency_overrides`` does not apply to them. Since none of them has a
``yield`` to close, the route's ASGI app is Starlette's ``request_response``, without FastAPI's two
exit stacks per request.

:class:`DirectLane`, the innermost middleware a ``POST`` passes (only :class:`~service.http.head.HeadAsGet` is
below it), goes one step further for a ``POST`` to such a route: it calls the handler itself, and the app's
exception handlers on an error, which is all that FastAPI's exception middleware, exit stack, router and route
wrapper would do for it. Every other request goes through them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _takes_nothing_else(dependant: Dependant) -> bool:
    """Whether ``dependant`` has no parameter FastAPI would fill but the request and its sub-dependencies."""
    return not (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    )


def request_only(dependant: Dependant) -> bool:
    """Whether ``dependant`` is an ``async`` parameter of the endpoint whose only parameter is the request."""
    return (
        dependant.name is not None
        and inspect.iscoroutinefunction(dependant.call)
        and dependant.request_param_name is not None
        and not dependant.dependencies
        and _takes_nothing_else(dependant)
    )


def direct_handler(endpoint: Callable[..., Awaitable[Response]], dependant: Dependant) -> Handler | None:
    """The handler that awaits each request-only dependency, then the endpoint; ``None`` if the route does not qualify.

    The endpoint qualifies when it is ``async``, takes only dependencies (no
    query, header, body, request, response or background-task parameters of
    its own) and each of them needs only the request.
    """
    if (
        not inspect.iscoroutinefunction(endpoint)
        or dependant.request_param_name is not None
        or not _takes_nothing_else(dependant)
        or not dependant.dependencies
        or not all(request_only(d) for d in dependant.dependencies)
    ):
        return None
    readers: list[tuple[str, Callable[[Request], Awaitable[Any]]]] = [
        (d.name, d.call) for d in dependant.dependencies if d.name is not None and d.call is not None
    ]

    async def handle(request: Request) -> Response:
        arguments = {name: await read(request) for name, read in readers}
        return await endpoint(**arguments)

    return handle


class DirectRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` that skips dependency solving when its endpoint allows it."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        handler = direct_handler(self.endpoint, self.dependant)
        self.direct = handler if kwargs.get("max_body_size") is None else None
        """The handler that :class:`DirectLane` may call, if any."""
        if self.direct is not None:
            # No dependency has a yield to close, so the handler needs none of FastAPI's exit stacks around it:
            # Starlette's own request_response (the Request, and the exception handlers) is all it takes.
            self.app = request_response(self.direct)

    def get_route_handler(self) -> Handler:
        return direct_handler(self.endpoint, self.dependant) or super().get_route_handler()


ExceptionHandler = Callable[[Request, Exception], Any]


class DirectLane:
    """ASGI middleware, the innermost a ``POST`` passes: serves one to a :class:`DirectRoute` with a direct handler.

    ``service`` is the FastAPI app; the routes of its own list (where :func:`service.app.create_app` puts them,
    not in an included router's branch) are read when the middleware is built, at the first request.
    The lane calls the handler as the route would and, when it raises, the app's handler of that exception
    (:func:`service.http.problems.install`); an exception without one, as ``Exception`` itself, goes on up to
    the server error middleware, as from the route. A request under a ``root_path``, or traced by FastAPI's
    OpenTelemetry support (``GRADSERVICE_OPENTELEMETRY``), goes the usual way.
    """

    def __init__(self, app: ASGIApp, service: Any) -> None:
        self.app, self.service = app, service
        routes = [route for route in service.router.routes if isinstance(route, DirectRoute)]
        self.handlers: dict[str, Handler] = {
            route.path: route.direct
            for route in routes
            if route.direct is not None and "POST" in (route.methods or ()) and not route.param_convertors
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.get(scope["path"]) if self._takes(scope) else None
        if handler is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except Exception as error:
            on_error = self._exception_handler(error)
            if on_error is None:
                raise
            if inspect.iscoroutinefunction(on_error):
                response = await on_error(request, error)
            else:
                response = await run_in_threadpool(on_error, request, error)
        await response(scope, receive, send)

    @staticmethod
    def _takes(scope: Scope) -> bool:
        """A POST, not under a ``root_path``, and not traced by FastAPI's telemetry (whose router names the span)."""
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and not scope.get("root_path")
            and scope.get("fastapi.telemetry") is None
        )

    def _exception_handler(self, error: Exception) -> ExceptionHandler | None:
        """The app's handler of ``error`` as Starlette looks it up (an ``HTTPException``'s status code, then the
        error's class or its nearest base); not ``Exception``'s, which the server error middleware calls."""
        handlers = self.service.exception_handlers
        if isinstance(error, HTTPException) and error.status_code in handlers:
            status_handler: ExceptionHandler = handlers[error.status_code]
            return status_handler
        for cls in type(error).__mro__:
            if cls is Exception:
                return None
            if cls in handlers:
                handler: ExceptionHandler = handlers[cls]
                return handler
        return None
