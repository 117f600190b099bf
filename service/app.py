"""The app factory: :func:`create_app` builds the ASGI application from its settings, and does nothing else.

A server process runs ``service.server:app``, which also tunes the process.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.cors import CORSMiddleware

from service.api.openapi import build_openapi
from service.api.routers import REQUEST_MODELS, ROUTERS
from service.api.routing import RequestRoute, takes_the_request_alone
from service.domain.settings import Settings, get_settings
from service.http import metrics, problems
from service.http.compute import Admission
from service.http.guards import ApiKey
from service.http.head import HeadAsGet
from service.http.instructor import InstructorKey
from service.http.lane import DirectLane, Endpoint
from service.http.observe import Observe
from service.page.router import router as page_router

DESCRIPTION = """
Exact float64 forward activations, losses and weight gradients of fully connected networks.

Notation: one example per row, X is m × n₀, Wₖ is nₖ₋₁ × nₖ (inputs × outputs),
zₖ = lₖ₋₁ · Wₖ (+ bₖ), lₖ = fₖ(zₖ), ŷ = `l_L` (the last layer's), default loss L = Σ ½ (y − ŷ)².
The [playground](/playground) shows every number of backpropagation, explained, in the browser.
Every error is an RFC 9457 `application/problem+json` response whose `errors` point at the offending field.
"""

CORS_METHODS = ("GET", "HEAD", "POST")
CORS_HEADERS = ("Authorization", "X-API-Key", "Content-Type", "Accept", "X-Request-ID")
CORS_EXPOSED = ("X-Request-ID", "Retry-After")
"""What a page on an allowed origin may send, and which answer headers its script may read."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: routers, error handling, guards and the OpenAPI document.

    ``settings`` default to the environment's (:func:`service.domain.settings.get_settings`).
    """
    settings = settings or get_settings()
    # FastAPIOffline: /docs loads Swagger UI from the installed package, never from a CDN. No /redoc:
    # ReDoc's bundle always fetches its logo from its CDN.
    telemetry = {"tracing": settings.opentelemetry, "metrics": settings.opentelemetry, "logs": settings.opentelemetry}
    app = FastAPIOffline(
        redoc_url=None, title="gradservice", version="0.1.0", description=DESCRIPTION, telemetry=telemetry
    )
    app.state.settings = settings
    # Outermost last: every request is observed (id, count, log line; added below), then (CORS) given its
    # admission ticket (service.http.compute) and its key checked; HEAD is answered as GET, innermost. The body's
    # size and deadlines are checked where it is read (service.api.body).
    app.add_middleware(HeadAsGet)
    if settings.direct_lane:  # the network routes' POSTs, past the router (service.http.lane)
        app.add_middleware(DirectLane, endpoints=direct_endpoints(), exception_handlers=app.exception_handlers)
    if settings.instructor_key is not None:  # classroom mode
        app.add_middleware(InstructorKey, settings=settings)
    if settings.api_key is not None:  # without a key, no layer to pass through
        app.add_middleware(ApiKey, settings=settings)
    app.add_middleware(Admission, settings=settings)
    if settings.cors_origins:  # outside the guards: a preflight carries no key, and error answers need the headers
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
        )
    # The routers' routes go into the app's own list, the busiest first, ahead of the docs' routes: every request
    # is matched against them in this order (include_router would add each router as a branch to resolve again).
    app.router.routes[:0] = [route for router in (*ROUTERS, page_router) for route in router.routes]
    problems.install(app, REQUEST_MODELS)
    app.add_middleware(Observe, counters=metrics.install(app))  # outermost: every request counted and logged
    app.openapi = lambda: build_openapi(app, REQUEST_MODELS.values())  # type: ignore[method-assign]
    return app


def direct_endpoints() -> dict[str, Endpoint]:
    """The endpoint of every ``POST`` route of the API that takes the request alone, by path (the direct lane's)."""
    return {
        route.path: route.endpoint
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, RequestRoute)
        and "POST" in (route.methods or ())
        and takes_the_request_alone(route.endpoint)
    }
