"""Paths under /playground that cannot name a file: a 404 problem, never a 500 or a traceback."""

from __future__ import annotations

import logging

import httpx
import pytest

pytestmark = pytest.mark.anyio

UNNAMEABLE = {
    "NUL byte": "/playground/%00",
    "NUL in a segment": "/playground/vendor/a%00b.js",
    "segment of 256 bytes": "/playground/" + "a" * 256,
    "segment of 300 two-byte characters": "/playground/" + "%C3%A9" * 300,
    "path of 5000 bytes": "/playground/" + "/".join(["abcdefghi"] * 500),
    "path of 60 kB": "/playground/" + "b" * 60_000,
    "dot segments out of static": "/playground/..%2F..%2F..%2Fetc%2Fpasswd",
}


@pytest.mark.parametrize("path", UNNAMEABLE.values(), ids=UNNAMEABLE.keys())
async def test_a_path_that_cannot_name_a_file_is_a_404_problem(
    client: httpx.AsyncClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert len(response.content) < 400, "the answer repeats at most 100 characters of the path"
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING or record.exc_info]


async def test_a_long_path_with_a_trailing_slash_is_echoed_cut(client: httpx.AsyncClient) -> None:
    response = await client.get("/playground/" + "c" * 5000 + "/")
    assert response.status_code == 404
    assert len(response.content) < 600
    assert "…" in response.json()["detail"]


async def test_a_file_of_the_page_is_still_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/playground/vendor/VERSIONS")
    assert response.status_code == 200
    assert response.text.strip()
