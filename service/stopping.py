"""SIGTERM closes the listening socket for every process that shares it, so new connections are refused at once.

With ``--workers N`` uvicorn's parent process binds the socket and keeps it open until every worker has drained:
the kernel would go on completing connections that no worker accepts any more, and a client would wait for the
shutdown timeout, then be reset. ``shutdown(SHUT_RD)`` on a listening socket stops it listening for every
process holding it (Linux), so a new connection is refused; the connections already accepted drain as before.
Installed by the server process only (:mod:`service.server`), at the start of its lifespan, once uvicorn has set
its own signal handlers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from types import FrameType
from typing import Any

from service.http.logs import flush_logs


def stop_listening(servers: list[Any]) -> None:
    """Close uvicorn's asyncio servers here and shut their listening sockets down for every process."""
    for server in servers:
        duplicates = [os.dup(sock.fileno()) for sock in server.sockets if sock.fileno() >= 0]
        server.close()  # no more accepts here
        for fd in duplicates:
            # OSError: already shut down by another worker; nothing listens any more
            with socket.socket(fileno=fd) as listening, suppress(OSError):
                listening.shutdown(socket.SHUT_RD)


def refuse_on_sigterm(loop: asyncio.AbstractEventLoop) -> None:
    """Wrap uvicorn's SIGTERM handler: it still runs, then the listening sockets are shut down on ``loop``."""
    previous = signal.getsignal(signal.SIGTERM)
    uvicorn_server = getattr(previous, "__self__", None)
    if not callable(previous) or uvicorn_server is None:
        return  # not under uvicorn's signal handling: leave it alone

    original: Callable[[int, FrameType | None], Any] = previous

    def handle(signum: int, frame: FrameType | None) -> None:
        original(signum, frame)
        loop.call_soon_threadsafe(stop_listening, list(getattr(uvicorn_server, "servers", [])))

    signal.signal(signal.SIGTERM, handle)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """The server process's lifespan: refuse new connections at once on SIGTERM; at the end, record the metrics
    and write the log lines that wait (:func:`service.http.logs.flush_logs` handles the batches of
    :mod:`service.http.batch` first)."""
    refuse_on_sigterm(asyncio.get_running_loop())
    yield
    flush_logs()
