"""``GET /metrics``: Prometheus metrics of the HTTP traffic and of the networks served.

HTTP metrics come from ``prometheus-fastapi-instrumentator``: ``http_requests_total`` and the
``http_request_duration_seconds`` histogram, both by ``handler`` (the route template), ``method`` and
``status``. The size of every validated request body is observed by :func:`observe_request`:
``gradservice_network_parameters`` (Σ_k n_{k−1}·n_k + n_k for layers with a bias) and
``gradservice_batch_size`` (m, the rows of X), by ``handler`` as in the HTTP metrics.

Each app has its own registry, so that apps built by :func:`service.app.create_app` never share counters.
With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory so that every
scrape sums all workers (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CollectorRegistry, Histogram
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator import metrics as http_metrics
from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from starlette.middleware import Middleware

import gradcore

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; the service answers small networks in about a millisecond."""
PARAMETER_BUCKETS = tuple(float(10**k) for k in range(1, 8))
BATCH_BUCKETS = tuple(float(4**k) for k in range(9))


@dataclass(frozen=True)
class NetworkMetrics:
    """The histograms of the network sizes served, registered in one app's registry."""

    parameters: Histogram
    batch_size: Histogram

    @classmethod
    def register(cls, registry: CollectorRegistry) -> NetworkMetrics:
        return cls(
            parameters=Histogram(
                "gradservice_network_parameters",
                "Parameters of the networks served: weights W_k plus biases b_k, summed over the layers.",
                ["handler"],
                buckets=PARAMETER_BUCKETS,
                registry=registry,
            ),
            batch_size=Histogram(
                "gradservice_batch_size",
                "Examples per request: m, the rows of X (m × n_0).",
                ["handler"],
                buckets=BATCH_BUCKETS,
                registry=registry,
            ),
        )


def observe_request(request: Request, payload: object) -> None:
    """Record the network size of a validated request body that has ``layers`` and ``inputs`` X (m × n_0)."""
    recorder: NetworkMetrics | None = getattr(request.app.state, "network_metrics", None)
    layers = getattr(payload, "layers", None)
    inputs = getattr(payload, "inputs", None)
    if recorder is None or not isinstance(layers, list) or not isinstance(inputs, np.ndarray) or inputs.ndim != 2:
        return
    handler = request.scope["path"]  # a matched route, and no route has path parameters: the path is the template
    recorder.parameters.labels(handler).observe(gradcore.parameter_count(layers))
    recorder.batch_size.labels(handler).observe(inputs.shape[0])


class StaticRouteMetrics(PrometheusInstrumentatorMiddleware):
    """The instrumentator's middleware, remembering which paths are route templates.

    For its ``handler`` label the instrumentator matches every request against
    every route, a walk that costs more than a small gradients request itself.
    A path found to be its own template is remembered, so that the walk is done
    once per route; the set is bounded by the routes, whatever paths clients send.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates: set[str] = set()

    def _get_handler(self, request: Request) -> tuple[str, bool]:
        path = request.scope["path"]
        if path in self.templates:
            return path, True
        handler, templated = super()._get_handler(request)
        if templated and handler == path:
            self.templates.add(path)
        return handler, templated


def install(app: FastAPI) -> None:
    """Instrument ``app`` and serve its metrics at ``GET /metrics`` in the Prometheus text format."""
    registry = CollectorRegistry()
    app.state.network_metrics = NetworkMetrics.register(registry)
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        excluded_handlers=["^/metrics$"],
        registry=registry,
    )
    instrumentator.add(
        http_metrics.requests(registry=registry),
        http_metrics.latency(buckets=LATENCY_BUCKETS, registry=registry),
    )
    instrumentator.instrument(app)
    app.user_middleware = [
        Middleware(StaticRouteMetrics, *middleware.args, **middleware.kwargs)
        if isinstance(middleware.cls, type) and issubclass(middleware.cls, PrometheusInstrumentatorMiddleware)
        else middleware
        for middleware in app.user_middleware
    ]
    instrumentator.expose(
        app,
        endpoint="/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        include_in_schema=True,
        response_class=PlainTextResponse,  # documents the text format, not application/json
    )
