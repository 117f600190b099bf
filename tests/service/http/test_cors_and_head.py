"""Browsers on other origins (CORS, off by default) and HEAD wherever GET works."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio
ORIGIN = "https://jupyterlite.github.io"
BODY = json.loads((Path(__file__).resolve().parents[3] / "examples" / "seed_case_5.json").read_text(encoding="utf-8"))


async def client_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def cors(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_of(Settings(cors_origins=[ORIGIN], api_key="s3cret")):
        yield http


@pytest.fixture
async def plain(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_of(Settings()):
        yield http


PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, authorization",
}


async def test_a_preflight_from_an_allowed_origin(cors: httpx.AsyncClient) -> None:
    answer = await cors.options("/v1/gradients", headers=PREFLIGHT)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed


async def test_a_real_cross_origin_request(cors: httpx.AsyncClient) -> None:
    headers = {"Origin": ORIGIN, "Authorization": "Bearer s3cret"}
    answer = await cors.post("/v1/gradients", json=BODY, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    assert answer.json()["loss"] == pytest.approx(0.08105458279800112, rel=1e-12)


async def test_a_problem_is_readable_cross_origin_too(cors: httpx.AsyncClient) -> None:
    """A page must be able to read the 401 or 422 problem, so error answers carry the header too."""
    unauthorized = await cors.post("/v1/gradients", json=BODY, headers={"Origin": ORIGIN})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["access-control-allow-origin"] == ORIGIN
    invalid = await cors.post(
        "/v1/gradients", json={**BODY, "inputs": [1.0]}, headers={"Origin": ORIGIN, "X-API-Key": "s3cret"}
    )
    assert invalid.status_code == 422
    assert invalid.headers["access-control-allow-origin"] == ORIGIN


async def test_another_origin_is_refused(cors: httpx.AsyncClient) -> None:
    answer = await cors.options("/v1/gradients", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    simple = await cors.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_off_by_default(plain: httpx.AsyncClient) -> None:
    assert Settings().cors_origins == []
    answer = await plain.options("/v1/gradients", headers=PREFLIGHT)
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in (await plain.get("/healthz", headers={"Origin": ORIGIN})).headers


def test_the_setting_reads_commas_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADSERVICE_CORS_ORIGINS", "https://a.example, https://b.example/")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("GRADSERVICE_CORS_ORIGINS", '["*"]')
    assert Settings().cors_origins == ["*"]
    monkeypatch.setenv("GRADSERVICE_CORS_ORIGINS", "")
    assert Settings().cors_origins == []


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs", "/metrics"])
async def test_head_wherever_get_works(plain: httpx.AsyncClient, path: str) -> None:
    get = await plain.get(path)
    head = await plain.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers and path != "/metrics":  # /metrics counts the GET itself
        assert head.headers["content-length"] == get.headers["content-length"]


async def test_head_of_a_post_route_is_405_like_get(plain: httpx.AsyncClient) -> None:
    assert (await plain.get("/v1/gradients")).status_code == (await plain.head("/v1/gradients")).status_code == 405


def test_head_over_a_real_socket(gradserve_url: str) -> None:
    answer = httpx.head(f"{gradserve_url}/healthz", timeout=10.0)
    assert answer.status_code == 200
    assert answer.content == b""
