"""Over a real socket, a body over GRADSERVICE_MAX_BODY_BYTES gets its 413 problem, with or without Content-Length."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
from servers import Serve

from service.api.schemas.examples import SEED_TWO_LAYER

LIMIT = 10_000


def padded(size: int) -> bytes:
    text = json.dumps(SEED_TWO_LAYER).encode()
    return text + b" " * (size - len(text))


def pieces(content: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


def test_large_bodies_get_413_and_the_server_goes_on(serve: Serve) -> None:
    with serve(GRADSERVICE_MAX_BODY_BYTES=str(LIMIT)) as server, httpx.Client(base_url=server.base_url) as http:
        body = padded(1024 * 1024)
        headers = {"content-type": "application/json"}
        for content in (body, pieces(body)):  # with Content-Length, then chunked
            response = http.post("/v1/gradients", content=content, headers=headers)
            assert response.status_code == 413, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["limit"] == {
                "name": "max_body_bytes",
                "setting": "GRADSERVICE_MAX_BODY_BYTES",
                "value": LIMIT,
            }
        assert http.post("/v1/gradients", content=padded(LIMIT), headers=headers).status_code == 200
