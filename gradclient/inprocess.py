"""An async transport, such as ``httpx.ASGITransport(app=...)``, driven by the synchronous client.

httpx's ``Client`` needs a synchronous transport, and an ASGI app can only be called from an
event loop. :class:`SyncOverAsync` runs one event loop on a thread of its own for the life of the
client and hands each request to it, so the synchronous :class:`~gradclient.GradientClient` calls
an app in-process, also where an event loop is already running (a notebook, an async test).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class SyncOverAsync(httpx.BaseTransport):
    """A synchronous transport that sends each request through ``transport`` on its own event loop thread."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="gradclient-in-process", daemon=True
                )
                self._thread.start()
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._run(self._send(request))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        try:
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        # The raw bytes: the client decodes them (Content-Encoding) as it would a socket's.
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(content))

    def close(self) -> None:
        """Close the async transport, then stop the event loop and its thread."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._transport.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
