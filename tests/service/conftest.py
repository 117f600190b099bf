"""Shared fixtures of the HTTP tests: an in-process client of an app built by ``service.app.create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from shapes import check_answer_hook

from service.app import create_app


@pytest.fixture
async def client(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that calls the ASGI app in-process, without a socket; every 200 JSON answer it receives is
    checked against its endpoint's documented response schema (:mod:`shapes`)."""
    transport = httpx.ASGITransport(app=create_app())
    hooks = {"response": [check_answer_hook]}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", event_hooks=hooks) as http:
        yield http
