"""``GET /metrics``: Prometheus metrics of the HTTP traffic and of the networks served.

:class:`HttpCounters` counts ``http_requests_total`` and observes the
``http_request_duration_seconds`` histogram, both by ``handler`` (the route template; ``none`` for
a path that no route serves), ``method`` and ``status`` (the names and labels of
prometheus-fastapi-instrumentator, whose route matching it reuses). The size of every validated
request body, noted by :func:`note_network`, is observed with it (:class:`NetworkMetrics`):
``gradservice_network_parameters`` (Σ_k n_{k−1}·n_k + n_k for layers with a bias) and
``gradservice_batch_size`` (m, the rows of X), by ``handler`` as in the HTTP metrics.

Observations are recorded together, within :data:`service.http.batch.DELAY` seconds
(:mod:`service.http.batch`); a scrape first records those that wait in its process, so it counts every
request answered before it. Each app has its own registry, so that apps built by
:func:`service.app.create_app` never share counters. With several worker processes, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory so that every scrape sums all workers (prometheus_client's
multiprocess mode); the other workers' last requests then show within that delay.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.requests import HTTPConnection
from starlette.types import Scope

import gradcore
from service.http.batch import flush_batches
from service.http.records import Answered

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; the service answers small networks in about a millisecond."""
PARAMETER_BUCKETS = tuple(float(10**k) for k in range(1, 8))
BATCH_BUCKETS = tuple(float(4**k) for k in range(9))


class NetworkMetrics:
    """The histograms of the network sizes served, registered in one app's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.parameters = Histogram(
            "gradservice_network_parameters",
            "Parameters of the networks served: weights W_k plus biases b_k, summed over the layers.",
            ["handler"],
            buckets=PARAMETER_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "gradservice_batch_size",
            "Examples per request: m, the rows of X (m × n_0).",
            ["handler"],
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.children: dict[str, tuple[Histogram, Histogram]] = {}
        """Both histograms' children by handler: one per route, kept so that an observation takes no lock to find."""

    def observe(self, handler: str, parameters: int, batch_size: int) -> None:
        """Record one request to ``handler``, a route template, with its network's size."""
        children = self.children.get(handler)
        if children is None:
            children = self.children[handler] = (self.parameters.labels(handler), self.batch_size.labels(handler))
        children[0].observe(parameters)
        children[1].observe(batch_size)


NETWORK = "gradservice.network"
"""The key of the request scope that holds the size of its network, (parameters, m), once its body is valid."""


def note_network(scope: Scope, payload: object) -> None:
    """Note the network size of a validated request body that has ``layers`` and ``inputs`` X (m × n_0), for
    :class:`service.http.observe.Observe` to record when the request ends."""
    layers = getattr(payload, "layers", None)
    inputs = getattr(payload, "inputs", None)
    if isinstance(layers, list) and isinstance(inputs, np.ndarray) and inputs.ndim == 2:
        scope[NETWORK] = (gradcore.parameter_count(layers), inputs.shape[0])


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other token a client sends is counted as ``other``, so labels stay few."""
UNMATCHED = "none"
"""The ``handler`` label of a request that no route serves."""
EXCLUDED = frozenset({"/metrics"})
"""Handlers not counted: scraping does not count itself."""


class HttpCounters:
    """Count every HTTP request and observe its duration, by route template, method and status.

    The route template is found at once, by matching the path against the app's routes,
    once per path: a path that is its own template (no route of this service has
    path parameters) is remembered in :attr:`templates`, a set bounded by the
    routes whatever paths clients send. The labelled children of the counter and the
    histograms are kept, so that a request costs a dictionary lookup and an observation
    for each, not a walk of the routes and a label lookup under a lock.
    :class:`service.http.observe.Observe` finds each request's :meth:`handler` when it ends, and calls
    :meth:`count` with the requests answered within a moment (:mod:`service.http.batch`).
    """

    def __init__(self, requests: Counter, latency: Histogram, network: NetworkMetrics) -> None:
        self.requests = requests
        self.latency = latency
        self.network = network
        self.templates: set[str] = set()
        self.children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def handler(self, scope: Scope) -> str:
        """The route template that serves ``scope``'s path, or :data:`UNMATCHED`."""
        path: str = scope["path"]
        if path in self.templates:
            return path
        template = get_route_name(HTTPConnection(scope), should_include_root_path=False)
        if template is None:
            return UNMATCHED
        if template == path:
            self.templates.add(path)
        return template

    def count(self, answered: Iterable[Answered]) -> None:
        """Count each answered request and observe its duration, and its network's size if it had one."""
        for request in answered:
            if request.handler in EXCLUDED:
                continue
            if request.network is not None:
                self.network.observe(request.handler, *request.network)
            method = request.method if request.method in METHODS else "other"
            key = (request.handler, method, str(request.status))
            children = self.children.get(key)
            if children is None:
                children = self.children[key] = (self.requests.labels(*key), self.latency.labels(*key))
            children[0].inc()
            children[1].observe(request.seconds)


def install(app: FastAPI) -> HttpCounters:
    """Serve ``app``'s metrics at ``GET /metrics`` in the Prometheus text format; the counters to fill."""
    registry = CollectorRegistry()
    labels = ["handler", "method", "status"]
    requests = Counter(
        "http_requests_total", "Total number of requests by method, status and handler.", labels, registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds",
        "Duration of HTTP requests in seconds, by handler, method and status.",
        labels,
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    counters = HttpCounters(requests, latency, NetworkMetrics(registry))

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,  # documents the text format, not application/json
    )
    def metrics() -> PlainTextResponse:
        """The counters and histograms of this process, or of every worker in multiprocess mode."""
        flush_batches()  # every request answered before this one is counted
        scraped = registry
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            scraped = CollectorRegistry()
            multiprocess.MultiProcessCollector(scraped)  # type: ignore[no-untyped-call]
        return PlainTextResponse(generate_latest(scraped), media_type=CONTENT_TYPE_LATEST)

    return counters
