"""``GET /metrics``: Prometheus counters and histograms of the requests and of the networks served."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.http.observe import Observe

pytestmark = pytest.mark.anyio

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
async def fresh(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a new app, whose counters start at zero."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def parameters(body: dict) -> int:
    """Σ_k (n_{k−1} · n_k + n_k if layer k has a bias), counted from the request itself."""
    total = 0
    for layer in body["network"]["layers"]:
        rows = layer["weights"]
        total += len(rows) * len(rows[0]) + len(layer.get("bias", []))
    return total


async def test_requests_are_counted_by_route_method_and_status(fresh: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await fresh.post("/v1/gradients", json=SEED_TWO_LAYER)).status_code == 200
    assert (await fresh.post("/v1/gradients", json={"network": {"layers": []}})).status_code == 422
    assert (await fresh.get("/healthz")).status_code == 200
    samples = await scrape(fresh)
    ok = {"handler": "/v1/gradients", "method": "POST", "status": "200"}
    invalid = {**ok, "status": "422"}
    assert value(samples, "http_requests_total", **ok) == 3
    assert value(samples, "http_requests_total", **invalid) == 1
    assert value(samples, "http_requests_total", handler="/healthz", method="GET", status="200") == 1
    # The latency histogram has the same labels; every request fell under +Inf and took some time.
    assert value(samples, "http_request_duration_seconds_count", **ok) == 3
    assert value(samples, "http_request_duration_seconds_bucket", **ok, le="+Inf") == 3
    assert value(samples, "http_request_duration_seconds_count", **invalid) == 1
    assert value(samples, "http_request_duration_seconds_sum", **ok) > 0


async def test_the_metrics_page_does_not_count_itself(fresh: httpx.AsyncClient) -> None:
    await scrape(fresh)
    samples = await scrape(fresh)
    assert not any(name == "http_requests_total" and ("handler", "/metrics") in labels for name, labels in samples)


async def test_network_size_and_batch_are_observed_per_route(fresh: httpx.AsyncClient) -> None:
    batch = copy.deepcopy(SEED_TWO_LAYER)
    batch["network"]["layers"][0]["bias"] = [0.1, -0.1]
    batch["inputs"] = [[0.1 * i, -0.2 * i, 0.3] for i in range(5)]
    batch["targets"] = [[1.0]] * 5
    assert (await fresh.post("/v1/forward", json=SEED_TWO_LAYER)).status_code == 200
    assert (await fresh.post("/v1/gradients", json=batch)).status_code == 200
    assert (await fresh.post("/v1/loss", json={**batch, "inputs": [1.0]})).status_code == 422  # not observed

    samples = await scrape(fresh)
    assert parameters(SEED_TWO_LAYER) == 3 * 2 + 2 * 1
    assert parameters(batch) == 3 * 2 + 2 + 2 * 1
    forward = {"handler": "/v1/forward"}
    gradients = {"handler": "/v1/gradients"}
    assert value(samples, "gradservice_network_parameters_sum", **forward) == parameters(SEED_TWO_LAYER)
    assert value(samples, "gradservice_network_parameters_sum", **gradients) == parameters(batch)
    assert value(samples, "gradservice_batch_size_sum", **forward) == 1
    assert value(samples, "gradservice_batch_size_sum", **gradients) == 5
    assert value(samples, "gradservice_batch_size_bucket", **gradients, le="4.0") == 0
    assert value(samples, "gradservice_batch_size_bucket", **gradients, le="16.0") == 1
    assert value(samples, "gradservice_network_parameters_count", handler="/v1/loss") == 0


async def test_apps_do_not_share_counters(fresh: httpx.AsyncClient) -> None:
    assert (await fresh.post("/v1/forward", json=SEED_TWO_LAYER)).status_code == 200
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        samples = await scrape(other)
    assert value(samples, "http_requests_total", handler="/v1/forward", method="POST", status="200") == 0


async def test_unknown_paths_are_counted_but_never_remembered_as_templates() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(2):
            assert (await client.post("/v1/gradients", json=SEED_TWO_LAYER)).status_code == 200
        for k in range(20):
            assert (await client.get(f"/no/such/path/{k}")).status_code == 404
        samples = await scrape(client)
    assert value(samples, "http_requests_total", handler="/v1/gradients", method="POST", status="200") == 2
    (observe,) = [m for m in iter_middleware(app.middleware_stack) if isinstance(m, Observe)]
    assert observe.counters.templates == {"/v1/gradients", "/metrics"}


def iter_middleware(app: object) -> list[object]:
    """The middleware instances of a built ASGI stack, outermost first."""
    found = []
    while app is not None:
        found.append(app)
        app = getattr(app, "app", None)
    return found


async def test_unknown_methods_share_one_label(fresh: httpx.AsyncClient) -> None:
    for method in ("FOO", "BAR", "PROPFIND"):
        assert (await fresh.request(method, "/v1/gradients")).status_code == 405
    samples = await scrape(fresh)
    assert value(samples, "http_requests_total", handler="/v1/gradients", method="other", status="405") == 3
    assert not any(("method", "FOO") in labels for _, labels in samples)
