"""``service.api.routing``: which endpoints ``RequestRoute`` calls directly, and that every route still answers as
FastAPI's own handler would, errors included."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response

from service.api.routers import REQUEST_MODELS
from service.api.routing import RequestRoute, takes_the_request_alone
from service.app import create_app

pytestmark = pytest.mark.anyio


class TeapotError(Exception):
    """An error with a handler of the app's."""


async def read_name(request: Request) -> str:
    return request.headers.get("x-name", "nobody")


async def by_request(request: Request) -> Response:
    name = request.headers.get("x-name", "nobody")
    if name == "teapot":
        raise TeapotError("short and stout")
    if name == "conflict":
        raise HTTPException(409, "taken")
    if name == "bug":
        raise RuntimeError("unexpected")
    return JSONResponse({"name": name, "path": request.url.path})


async def by_dependency(name: Annotated[str, Depends(read_name)]) -> Response:
    return JSONResponse({"name": name})


def sync_by_request(request: Request) -> Response:
    return JSONResponse({"name": "sync"})


def build(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)
    router.post("/direct")(by_request)
    router.post("/dependency")(by_dependency)
    router.post("/sync")(sync_by_request)
    app = FastAPI()
    app.include_router(router)

    async def teapot(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=418)

    app.add_exception_handler(TeapotError, teapot)
    return app


def test_only_async_endpoints_of_the_request_alone_are_called_directly() -> None:
    assert takes_the_request_alone(by_request)
    assert not takes_the_request_alone(by_dependency)
    assert not takes_the_request_alone(sync_by_request)


def test_every_network_route_is_called_directly() -> None:
    routes = {route.path: route for route in create_app().router.routes if isinstance(route, APIRoute)}
    for path in REQUEST_MODELS:
        assert isinstance(routes[path], RequestRoute)
        assert takes_the_request_alone(routes[path].endpoint), path


def test_every_route_that_reads_a_body_has_its_model_documented() -> None:
    document = create_app().openapi()
    for path, model in REQUEST_MODELS.items():
        schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
        assert model.__name__ in document["components"]["schemas"]


@pytest.mark.parametrize("name", ["ada", "teapot", "conflict", "bug"])
@pytest.mark.parametrize("path", ["/direct", "/dependency", "/sync"])
async def test_the_route_class_answers_as_fastapis_own(name: str, path: str, anyio_backend: str) -> None:
    answers = []
    for route_class in (APIRoute, RequestRoute):
        transport = httpx.ASGITransport(app=build(route_class), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post(path, headers={"x-name": name})
        answers.append((response.status_code, response.content, response.headers.get("content-type")))
    assert answers[0] == answers[1]
    assert answers[0][0] == (
        {"ada": 200, "teapot": 418, "conflict": 409, "bug": 500}[name] if path == "/direct" else 200
    )
