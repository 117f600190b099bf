"""A body's memory is reserved before its bytes are read: by Content-Length up front, in steps when chunked;
a body that cannot be admitted is not read, and gets a 503 with Retry-After once queue_timeout runs out."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.domain.limits import body_cost
from service.domain.settings import Settings
from service.http.compute import BODY_STEP, Pool, Ticket, _ticket, reserve_body

pytestmark = pytest.mark.anyio
MiB = 1024 * 1024
JSON = {"content-type": "application/json"}


def padded(size: int) -> bytes:
    """A valid /v1/gradients body of exactly ``size`` bytes: the seed case and trailing whitespace."""
    body = json.dumps(SEED_TWO_LAYER).encode()
    return body + b" " * (size - len(body))


async def test_a_body_over_the_free_reading_budget_is_not_read_and_gets_503() -> None:
    # reading budget: a quarter of 16 MiB = 4 MiB; a 1 MiB body reserves 3 MiB, so a second one cannot fit
    app = create_app(Settings(max_inflight_bytes=16 * MiB, queue_timeout=0.2, retry_after=7))
    first, second = padded(MiB), padded(MiB)
    first_started, release = anyio.Event(), anyio.Event()
    pulled = 0

    async def held_body() -> AsyncIterator[bytes]:
        yield first[:1000]
        first_started.set()  # the first receive(): its reservation is made
        await release.wait()
        yield first[1000:]

    async def counted_body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for start in range(0, len(second), 65536):
            pulled += 1
            yield second[start : start + 65536]

    answers: dict[str, httpx.Response] = {}
    headers = {**JSON, "content-length": str(MiB)}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
        anyio.create_task_group() as tasks,
    ):

        async def post_first() -> None:
            answers["first"] = await http.post("/v1/gradients", content=held_body(), headers=headers)

        tasks.start_soon(post_first)
        await first_started.wait()
        answers["second"] = await http.post("/v1/gradients", content=counted_body(), headers=headers)
        release.set()
    assert answers["second"].status_code == 503
    assert answers["second"].headers["retry-after"] == "7"
    assert answers["second"].headers["content-type"] == "application/problem+json"
    assert pulled == 0, "a body that was not admitted was not read"
    assert answers["first"].status_code == 200, answers["first"].text


async def test_a_chunked_body_reserves_in_steps_before_each_is_kept() -> None:
    pool = Pool(Settings())
    ticket = Ticket(pool)
    token = _ticket.set(ticket)
    try:
        assert not await reserve_body(1000), "a body read on the event loop reserves nothing"
        assert pool.reading.used == 0
        assert await reserve_body(BODY_STEP)
        assert pool.reading.used == body_cost(BODY_STEP).bytes
        assert await reserve_body(3 * BODY_STEP)
        assert pool.reading.used == body_cost(3 * BODY_STEP).bytes, "each step reserves only what it adds"
        assert pool.admitted == 1
    finally:
        _ticket.reset(token)
        ticket.end()
    assert pool.reading.used == 0
    assert pool.admitted == 0


async def test_a_large_chunked_body_is_read_and_answered() -> None:
    app = create_app(Settings())
    body = padded(3 * MiB + 12345)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 100_000):
            yield body[start : start + 100_000]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.post("/v1/gradients", content=chunks(), headers=JSON)
        unpadded = await http.post("/v1/gradients", json=SEED_TWO_LAYER)
    assert response.status_code == 200
    assert response.json() == unpadded.json(), "whitespace changes nothing"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, identity"])
async def test_a_content_encoding_other_than_identity_is_a_415_problem(encoding: str) -> None:
    body = json.dumps(SEED_TWO_LAYER).encode()
    sent = gzip.compress(body) if encoding.startswith("gzip") else body
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://t") as http:
        response = await http.post("/v1/gradients", content=sent, headers={**JSON, "content-encoding": encoding})
        identity = await http.post("/v1/gradients", content=body, headers={**JSON, "content-encoding": "identity"})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["accept-encoding"] == "identity"
    assert "Content-Encoding" in response.json()["detail"]
    assert identity.status_code == 200


async def test_a_chunked_body_whose_steps_outgrow_the_reading_budget_is_a_413() -> None:
    # reading budget: a quarter of 16 MiB = 4 MiB; max_body_bytes allows more than that budget can read
    app = create_app(Settings(max_inflight_bytes=16 * MiB, max_body_bytes=8 * MiB))
    body = padded(2 * MiB)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.post("/v1/gradients", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert response.json()["limit"]["name"] == "max_inflight_bytes"
