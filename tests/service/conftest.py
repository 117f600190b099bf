"""Shared fixtures of the HTTP tests: an in-process client of ``service.app.app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.app import app


@pytest.fixture
async def client(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that calls the ASGI app in-process, without a socket."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
