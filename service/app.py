"""The ASGI application: :func:`create_app` builds it; ``service.app:app`` is the environment's (servers run
``service.server:app``, which also tunes the process)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.cors import CORSMiddleware

from service.api.routers import check, derivation, forward, grade, gradients, health, loss, train, verify
from service.http import metrics, problems
from service.http.compute import Admission
from service.http.direct import DirectLane
from service.http.guards import ApiKey
from service.http.head import HeadAsGet
from service.http.observe import Observe
from service.http.openapi import build_openapi
from service.page.router import router as page_router
from service.settings import Settings, get_settings

DESCRIPTION = """
Exact float64 forward activations, losses and weight gradients of fully connected networks.

Notation: one example per row, X is m × n₀, Wₖ is nₖ₋₁ × nₖ (inputs × outputs),
zₖ = lₖ₋₁ · Wₖ (+ bₖ), lₖ = fₖ(zₖ), ŷ = `l_L` (the last layer's), default loss L = Σ ½ (y − ŷ)².
The [playground](/playground) shows every number of backpropagation, explained, in the browser.
Every error is an RFC 9457 `application/problem+json` response whose `errors` point at the offending field.
"""

ROUTERS = (
    gradients.router,
    forward.router,
    loss.router,
    train.router,
    check.router,
    verify.router,
    derivation.router,
    grade.router,
    health.router,
    page_router,
)
"""The service's routers, each with its own prefix; a request is matched against their routes in this order."""

CORS_METHODS = ("GET", "HEAD", "POST")
CORS_HEADERS = ("Authorization", "X-API-Key", "Content-Type", "Accept", "X-Request-ID")
CORS_EXPOSED = ("X-Request-ID", "Retry-After")
"""What a page on an allowed origin may send, and which answer headers its script may read."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: routers, error handling, guards and the OpenAPI document.

    ``settings`` default to the environment's (:func:`service.settings.get_settings`).
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
    # admission ticket (service.http.compute) and its key checked; a POST to a network route is served by its
    # direct handler (service.http.direct); HEAD is answered as GET, innermost, where no POST passes. The body's
    # size and deadlines are checked where it is read (service.http.body).
    app.add_middleware(HeadAsGet)
    app.add_middleware(DirectLane, service=app)
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
    # The routers' routes go into the app's own list, the busiest first, ahead of the docs' routes: every
    # request is matched against them in this order. (include_router would add each router as a branch that
    # FastAPI resolves again for every request; bench/README.md.)
    app.router.routes[:0] = [route for router in ROUTERS for route in router.routes]
    problems.install(app)
    app.add_middleware(Observe, counters=metrics.install(app))  # outermost: every request counted and logged
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    return app


app = create_app()
