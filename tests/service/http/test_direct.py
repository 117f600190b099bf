"""``service.http.direct``: which routes skip FastAPI's dependency solving, and that they still answer as before."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.app import create_app
from service.http.direct import DirectLane, DirectRoute, direct_handler

pytestmark = pytest.mark.anyio


async def read_name(request: Request) -> str:
    return request.headers.get("x-name", "nobody")


def sync_read_name(request: Request) -> str:
    return "sync"


def build() -> FastAPI:
    router = APIRouter(route_class=DirectRoute)

    @router.post("/direct")
    async def direct(name: Annotated[str, Depends(read_name)]) -> Response:
        return JSONResponse({"name": name})

    @router.post("/query")
    async def query(name: Annotated[str, Depends(read_name)], times: int = 1) -> Response:
        return JSONResponse({"name": name * times})

    @router.post("/sync-dependency")
    async def sync_dependency(name: Annotated[str, Depends(sync_read_name)]) -> Response:
        return JSONResponse({"name": name})

    @router.post("/sync-endpoint")
    def sync_endpoint(name: Annotated[str, Depends(read_name)]) -> Response:
        return JSONResponse({"name": name})

    @router.post("/background")
    async def background(name: Annotated[str, Depends(read_name)], tasks: BackgroundTasks) -> Response:
        tasks.add_task(DONE.append, name)
        return JSONResponse({"name": name})

    app = FastAPI()
    app.include_router(router)
    return app


DONE: list[str] = []
"""What the background task of ``/background`` did."""


def qualifies(app: FastAPI, path: str) -> bool:
    (route,) = [route for route in build_routes(app) if route.path == path]
    return direct_handler(route.endpoint, route.dependant) is not None


def build_routes(app: FastAPI) -> list[DirectRoute]:
    """The DirectRoutes of an app, whether FastAPI keeps included routes flat or nested."""
    found: list[DirectRoute] = []
    for route in app.router.routes:
        original = getattr(route, "original_router", None)
        routes = original.routes if original is not None else [route]
        found += [r for r in routes if isinstance(r, DirectRoute)]
    return found


def test_only_async_endpoints_with_request_only_dependencies_qualify() -> None:
    app = build()
    assert qualifies(app, "/direct")
    assert not qualifies(app, "/query")  # a query parameter of its own: FastAPI must parse it
    assert not qualifies(app, "/sync-dependency")
    assert not qualifies(app, "/sync-endpoint")
    assert not qualifies(app, "/background")  # FastAPI must make and run its BackgroundTasks


def test_the_network_and_teaching_routes_are_direct() -> None:
    app = create_app()
    direct = {route.path for route in build_routes(app) if direct_handler(route.endpoint, route.dependant)}
    assert {"/v1/gradients", "/v1/forward", "/v1/loss", "/v1/train", "/v1/gradients/verify"} <= direct


@pytest.mark.parametrize("path", ["/direct", "/query", "/sync-dependency", "/sync-endpoint", "/background"])
async def test_every_route_answers_the_same_whichever_handler_serves_it(path: str, anyio_backend: str) -> None:
    expected = {"/direct": "ada", "/query": "adaada", "/sync-dependency": "sync", "/sync-endpoint": "ada"}.get(
        path, "ada"
    )
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(path, headers={"x-name": "ada"}, params={"times": 2})
    assert response.status_code == 200
    assert response.json() == {"name": expected}
    if path == "/background":
        assert DONE[-1] == "ada"


class TeapotError(Exception):
    """An error with a handler of the app's."""


async def teapot_problem(request: Request, error: Exception) -> Response:
    return JSONResponse({"detail": str(error)}, status_code=418)


async def conflict_problem(request: Request, error: Exception) -> Response:
    return JSONResponse({"conflict": True}, status_code=409)


def build_laned() -> tuple[FastAPI, list[str]]:
    """An app with :class:`DirectLane`, and the paths its routes' own ASGI apps served (not the lane)."""
    router = APIRouter(route_class=DirectRoute)

    @router.post("/direct")
    async def direct(name: Annotated[str, Depends(read_name)]) -> Response:
        if name == "teapot":
            raise TeapotError("short and stout")
        if name == "bug":
            raise RuntimeError("unexpected")
        if name == "conflict":
            raise HTTPException(409, "taken")
        return JSONResponse({"name": name})

    app = FastAPI()
    app.router.routes[:0] = router.routes  # in the app's own list, as create_app puts them
    app.add_exception_handler(TeapotError, teapot_problem)
    app.add_exception_handler(409, conflict_problem)  # by status code, before HTTPException's own handler
    app.add_middleware(DirectLane, service=app)
    served: list[str] = []
    for route in app.router.routes:
        if isinstance(route, DirectRoute):
            inner = route.app

            async def spy(scope: Scope, receive: Receive, send: Send, inner: ASGIApp = inner) -> None:
                served.append(scope["path"])
                await inner(scope, receive, send)

            route.app = spy
    return app, served


def traced(app: ASGIApp) -> ASGIApp:
    """``app`` with every request marked as FastAPI's telemetry marks one it traces."""

    async def marked(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "fastapi.telemetry": object()}, receive, send)

    return marked


async def post_laned(app: ASGIApp, name: str, root_path: str = "") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, root_path=root_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(f"{root_path}/direct", headers={"x-name": name})


async def test_the_lane_serves_a_direct_post_and_the_route_anything_else(anyio_backend: str) -> None:
    app, served = build_laned()
    answer = await post_laned(app, "ada")
    assert (answer.status_code, answer.json(), served) == (200, {"name": "ada"}, [])
    under_a_root = await post_laned(app, "ada", root_path="/api")
    assert (under_a_root.status_code, under_a_root.json(), served) == (200, {"name": "ada"}, ["/api/direct"])
    traced_answer = await post_laned(traced(app), "ada")  # FastAPI's router names the trace's span
    assert (traced_answer.status_code, served[-1]) == (200, "/direct")


@pytest.mark.parametrize("root_path", ["", "/api"])
async def test_the_lane_answers_errors_as_the_route_would(root_path: str, anyio_backend: str) -> None:
    app, served = build_laned()
    handled = await post_laned(app, "teapot", root_path)
    assert (handled.status_code, handled.json()) == (418, {"detail": "short and stout"})
    by_status = await post_laned(app, "conflict", root_path)
    assert (by_status.status_code, by_status.json()) == (409, {"conflict": True})
    unexpected = await post_laned(app, "bug", root_path)
    assert unexpected.status_code == 500  # no handler of its own: the server error middleware's answer
    assert served == ([f"{root_path}/direct"] * 3 if root_path else [])


def test_the_service_lane_serves_the_network_routes() -> None:
    app = create_app()
    stack = app.build_middleware_stack()
    while not isinstance(stack, DirectLane):
        stack = stack.app  # type: ignore[attr-defined]
    assert {"/v1/gradients", "/v1/forward", "/v1/loss", "/v1/train", "/v1/gradients/verify"} <= set(stack.handlers)
