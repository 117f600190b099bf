"""``service.http.lane``: a corpus of requests, valid and invalid, on every endpoint with every option, gives the
same status, headers and body with the direct lane as through FastAPI's router (``GRADSERVICE_DIRECT_LANE``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api.routers import REQUEST_MODELS
from service.app import create_app, direct_endpoints
from service.domain.settings import Settings
from service.http.lane import DirectLane

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
VARYING = {"x-request-id", "date"}


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def documented(path: str) -> dict[str, Any]:
    media = create_app().openapi()["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return dict(media["example"]) if "example" in media else dict(example("grade_class.json"))


def corpus() -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(name, path, body, headers): each endpoint's example, with its options, and the usual mistakes."""
    cases: list[tuple[str, str, bytes, dict[str, str]]] = []
    json_type = {"content-type": "application/json"}
    for path in sorted(REQUEST_MODELS):
        body = documented(path)
        cases.append((f"{path} example", path, json.dumps(body).encode(), json_type))
        if path not in ("/v1/assignments", "/v1/grade"):
            for option in ({"encoding": "base64"}, {"include": ["loss"]}, {"include": ["nothing"]}):
                cases.append((f"{path} {option}", path, json.dumps({**body, **option}).encode(), json_type))
            transposed = {**body, "network": example("transposed_weights.json")["network"]}
            cases.append((f"{path} transposed weights", path, json.dumps(transposed).encode(), json_type))
        cases.append((f"{path} unknown field", path, json.dumps({**body, "surprise": 1}).encode(), json_type))
        cases.append((f"{path} not JSON", path, b'{"network": ', json_type))
        cases.append((f"{path} not an object", path, b"[1, 2]", json_type))
        cases.append((f"{path} empty", path, b"", json_type))
        cases.append((f"{path} text", path, json.dumps(body).encode(), {"content-type": "text/plain"}))
        cases.append((f"{path} gzip", path, json.dumps(body).encode(), {**json_type, "content-encoding": "gzip"}))
        cases.append((f"{path} Accept PNG", path, json.dumps(body).encode(), {**json_type, "accept": "image/png"}))
    for path, accept in (
        ("/v1/derivation", "text/markdown"),
        ("/v1/assignments", "text/markdown"),
        ("/v1/grade", "text/csv"),
    ):
        cases.append((f"{path} {accept}", path, json.dumps(documented(path)).encode(), {**json_type, "accept": accept}))
    return cases


async def answers(direct_lane: bool) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    transport = httpx.ASGITransport(app=create_app(Settings(direct_lane=direct_lane)))
    found = []
    async with httpx.AsyncClient(transport=transport, base_url="http://lane") as client:
        for _, path, body, headers in corpus():
            response = await client.post(path, content=body, headers=headers)
            kept = sorted((key, value) for key, value in response.headers.items() if key not in VARYING)
            found.append((response.status_code, kept, response.content))
    return found


async def test_every_request_of_the_corpus_is_answered_alike_with_and_without_the_lane(anyio_backend: str) -> None:
    laned, routed = await answers(True), await answers(False)
    names = [name for name, *_ in corpus()]
    assert len(names) > 100
    for name, with_lane, without in zip(names, laned, routed, strict=True):
        assert with_lane == without, name
    statuses = {status for status, _, _ in laned}
    assert {200, 400, 406, 415, 422} <= statuses  # the corpus reaches the answers and the problems


def test_the_lane_serves_every_network_route_and_only_with_the_setting() -> None:
    assert set(REQUEST_MODELS) <= set(direct_endpoints())

    def lane_of(settings: Settings) -> DirectLane | None:
        stack: Any = create_app(settings).build_middleware_stack()
        while stack is not None and not isinstance(stack, DirectLane):
            stack = getattr(stack, "app", None)
        return stack

    assert lane_of(Settings()) is not None
    assert lane_of(Settings(direct_lane=False)) is None
