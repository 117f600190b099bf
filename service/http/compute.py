"""The compute seam: ``await compute(func, *args, cost=cost)`` runs a request's work under one rule.

Every endpoint's numeric work (the passes, the answer's rendering) and the reading of every
large body go through :func:`compute`, with a :class:`~service.domain.limits.Cost` from
:func:`service.domain.limits.cost` or :func:`service.domain.limits.body_cost`. The rule, in order:

1. **Budget.** ``cost.work`` over ``max_request_work``: 422 ``/problems/limit-exceeded``.
2. **Inline.** ``cost.work`` up to ``inline_work`` (a seed-sized request) runs on the event loop:
   it takes less time than the hop to a thread would (``bench/``), far less than a probe's patience.
3. **Memory.** The request waits, first come first served, until ``cost.bytes`` fit in its worker's
   ``max_inflight_bytes``: bodies and their parsed inputs in a quarter of it, activations and answers in
   the rest. Two budgets, taken in that order, so that requests holding the first never block the second.
   A body's share of the first is reserved before its first byte is read (:func:`reserve_body`, from
   :func:`service.api.body.read_body`: by ``Content-Length``, or step by step for a chunked body), and its
   parsing takes only what that left out. A wait over ``queue_timeout`` is a 503 with ``Retry-After``; a cost
   over a budget alone, a 413.
4. **Lanes.** Work up to ``light_work`` runs in the light lane (``light_threads`` threads), heavier work in
   the heavy lane (``compute_threads``): heavy requests queue behind each other, never in front of light
   ones, and the event loop stays free to answer ``/healthz``. numpy releases the GIL in its loops.

A request's reservations last until its answer is sent (:class:`Admission`, the ASGI middleware that
gives each request its :class:`Ticket`, sends a large answer in pieces of ``SEND_CHUNK``, each after the
socket has drained, so that the answer leaves before the reservation does), and until its threads end:
a thread cut off by the shutdown timeout goes on, still counted. At most ``max_concurrency`` requests hold
or wait for a ticket's reservations at once, bodies being read included; a body small enough to be read on the
event loop reserves nothing (uvicorn holds as much of every connection's body before the app reads it).
When the last request of a burst ends the freed memory goes back to the system (:meth:`Pool.ended`).
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.domain.errors import ServiceError
from service.domain.limits import PER_BODY_BYTE, Cost, body_cost, check_budget, limit_exceeded
from service.domain.settings import Settings
from service.http.problems import problem_response
from service.process import trim_freed_memory

T = TypeVar("T")
READING_SHARE = 4
"""Bodies and parsed inputs may hold 1/READING_SHARE of ``max_inflight_bytes``; activations and answers the rest."""
SEND_CHUNK = 1 << 20
"""Answers are sent in pieces of at most this many bytes, each once the socket has taken the one before."""
BODY_STEP = 1 << 20
"""A body without ``Content-Length`` (chunked) reserves its memory in steps of this many bytes of body."""
TRIM_AFTER_BYTES = 64 << 20
TRIM_DELAY = 1.0
"""Freed memory goes back to the system after a burst whose requests reserved at least TRIM_AFTER_BYTES in all,
once no request has been admitted for TRIM_DELAY seconds (:meth:`Pool.ended`)."""


def overloaded(settings: Settings, detail: str) -> ServiceError:
    """The 503 of a request that cannot be taken now, with ``Retry-After``."""
    return ServiceError(
        503,
        f"{detail}; retry in {settings.retry_after} s.",
        type_="/problems/overloaded",
        headers={"Retry-After": str(settings.retry_after)},
    )


class ByteBudget:
    """Bytes reserved first come, first served, up to ``capacity``; a waiter gives up after a timeout."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.used = capacity, 0
        self.waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def acquire(self, size: int, timeout: float) -> bool:
        """Reserve ``size`` bytes; ``False`` if they did not fit within ``timeout`` seconds."""
        if not self.waiters and self.used + size <= self.capacity:
            self.used += size
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append((size, waiter))
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            return self._withdraw(waiter)
        except BaseException:
            if self._withdraw(waiter):
                self.release(size)
            raise
        return True

    def _withdraw(self, waiter: asyncio.Future[None]) -> bool:
        """Leave the queue; ``True`` if the bytes had been granted meanwhile (then they are reserved)."""
        if waiter.done() and not waiter.cancelled():
            return True
        waiter.cancel()
        self.waiters = deque(w for w in self.waiters if w[1] is not waiter)
        self._wake()
        return False

    def release(self, size: int) -> None:
        self.used -= size
        self._wake()

    def _wake(self) -> None:
        while self.waiters and self.used + self.waiters[0][0] <= self.capacity:
            size, waiter = self.waiters.popleft()
            if not waiter.cancelled():
                self.used += size
                waiter.set_result(None)


class Pool:
    """One app's lanes and memory budgets (``app.state.compute``), made by :func:`install`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        reading = settings.max_inflight_bytes // READING_SHARE
        self.reading, self.working = ByteBudget(reading), ByteBudget(settings.max_inflight_bytes - reading)
        self.admitted = 0
        self.freed = 0
        """Bytes of reservations ended since the last :func:`service.process.trim_freed_memory`."""
        self._lanes: tuple[CapacityLimiter, CapacityLimiter] | None = None

    def ended(self, size: int) -> None:
        """A request that held ``size`` bytes has ended. When it was the last one admitted and the requests since
        the last trim held :data:`TRIM_AFTER_BYTES` or more, the freed memory goes back to the system once no
        request has been admitted for :data:`TRIM_DELAY` seconds (:func:`service.process.trim_freed_memory`)."""
        self.admitted -= 1
        self.freed += size
        if self.admitted == 0 and self.freed >= TRIM_AFTER_BYTES:
            with suppress(RuntimeError):  # no event loop (a test ending a ticket by hand): nothing to wait on
                asyncio.get_running_loop().call_later(TRIM_DELAY, self._trim, self.freed)

    def _trim(self, freed: int) -> None:
        if self.admitted == 0 and self.freed == freed:  # nothing admitted since: the burst is over
            self.freed = 0
            gc.collect()  # what reference cycles hold (an error's traceback, say) first
            asyncio.get_running_loop().run_in_executor(None, trim_freed_memory)

    def lane(self, work: int) -> CapacityLimiter:
        """The light or the heavy lane for ``work`` (made in the event loop, on first use)."""
        if self._lanes is None:
            self._lanes = CapacityLimiter(self.settings.light_threads), CapacityLimiter(self.settings.compute_threads)
        return self._lanes[0] if work <= self.settings.light_work else self._lanes[1]


class Ticket:
    """One request's reservations: counted in ``max_concurrency`` from its first, released when all end."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.held: list[tuple[ByteBudget, int]] = []
        self.reading = 0
        """Bytes this request holds in the reading budget: its body's and its parsing's."""
        self.threads = 0
        self.finished = False

    async def reserve(self, budget: ByteBudget, size: int, name: str) -> None:
        settings = self.pool.settings
        if size > budget.capacity:
            what = f"the request needs an estimated {size} bytes for its {name}, more than the {budget.capacity} bytes"
            raise limit_exceeded("max_inflight_bytes", settings.max_inflight_bytes, what, status=413)
        if not self.held:  # the first: count the request
            if self.pool.admitted >= settings.max_concurrency:
                raise overloaded(
                    settings,
                    f"The service is handling {settings.max_concurrency} requests, its limit "
                    "(GRADSERVICE_MAX_CONCURRENCY)",
                )
            self.pool.admitted += 1
        try:
            granted = await budget.acquire(size, settings.queue_timeout)
        except BaseException:
            self._forget()
            raise
        if not granted:
            self._forget()
            raise overloaded(settings, f"No memory was free for this request within {settings.queue_timeout} s")
        self.held.append((budget, size))
        if budget is self.pool.reading:
            self.reading += size

    async def reserve_reading(self, size: int) -> None:
        """Hold ``size`` bytes in the reading budget in all: reserve what this request does not hold there yet."""
        budget = self.pool.reading
        if size > budget.capacity:  # in all, though each step alone would fit: a 413, not a wait for ever
            what = f"the request needs an estimated {size} bytes for its body, more than the {budget.capacity} bytes"
            raise limit_exceeded("max_inflight_bytes", self.pool.settings.max_inflight_bytes, what, status=413)
        if size > self.reading:
            await self.reserve(self.pool.reading, size - self.reading, "body")

    def _forget(self) -> None:
        """A first reservation that failed leaves ``max_concurrency`` as it was."""
        if not self.held:
            self.pool.admitted -= 1

    def end(self) -> None:
        """The request is answered; the reservations go once its threads have ended too."""
        self.finished = True
        self._release()

    def thread_ended(self) -> None:
        self.threads -= 1
        self._release()

    def _release(self) -> None:
        if self.finished and self.threads == 0 and self.held:
            for budget, size in self.held:
                budget.release(size)
            self.pool.ended(sum(size for _, size in self.held))
            self.held.clear()
            self.reading = 0


_ticket: ContextVar[Ticket | None] = ContextVar("gradservice_ticket", default=None)


async def reserve_body(size: int) -> bool:
    """Reserve what a body of ``size`` bytes holds as it is read and parsed (:func:`~service.domain.limits.body_cost`,
    some 3 bytes a byte), beyond what the request holds in the reading budget already, before the bytes are read.

    ``False``, and nothing reserved, outside a request or for a body whose reading runs on the event loop (its
    work within ``inline_work``: uvicorn holds that much of every connection's body before the app reads it).
    Raises the 413 of a body over the reading budget, or the 503 of one that did not fit within ``queue_timeout``.
    """
    ticket = _ticket.get()
    if ticket is None or size <= unreserved_body_bytes(ticket.pool.settings):
        return False
    await ticket.reserve_reading(body_cost(size).bytes)
    return True


def unreserved_body_bytes(settings: Settings) -> int:
    """The largest body read without a reservation: one whose reading runs on the event loop (``inline_work``)."""
    return settings.inline_work // PER_BODY_BYTE


async def compute(func: Callable[..., T], *args: Any, cost: Cost, reading: bool = False) -> T:
    """Run ``func(*args)`` by the rule of this module; ``reading``: a body being read (the first budget).

    Outside a request (a test calling an endpoint directly) ``func`` runs inline.
    """
    ticket = _ticket.get()
    if ticket is None:
        return func(*args)
    settings = ticket.pool.settings
    if not reading:
        check_budget(settings, "max_request_work", cost.work, "an estimated work (service.domain.limits.cost)")
    if cost.work <= settings.inline_work:
        return func(*args)
    pool = ticket.pool
    if reading:  # the body's bytes were reserved as they arrived (reserve_body): only the rest of the parsing's
        await ticket.reserve_reading(cost.bytes)
    else:
        await ticket.reserve(pool.working, cost.bytes, "work")
    loop = asyncio.get_running_loop()

    def run() -> T:
        try:
            return func(*args)
        finally:
            loop.call_soon_threadsafe(ticket.thread_ended)

    ticket.threads += 1
    # abandon_on_cancel: a request cut off at shutdown answers at once; its thread ends on its own, still counted.
    return await anyio.to_thread.run_sync(run, limiter=pool.lane(cost.work), abandon_on_cancel=True)


class Admission:
    """ASGI middleware: gives each request its :class:`Ticket`; a request cut off (cancelled) before it answered,
    as at the end of the shutdown timeout, gets a 503 problem with ``Retry-After`` instead of uvicorn's plain 500."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.pool = app, Pool(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ticket = Ticket(self.pool)
        token = _ticket.set(ticket)
        started = False

        async def send_started(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            body = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if len(body) <= SEND_CHUNK:
                await send(message)
                return
            # In pieces: the server waits for the socket to drain between them, so the request keeps its memory
            # reservation until its answer has left, and a client that reads slowly holds no copy in the buffer.
            for start in range(0, len(body), SEND_CHUNK):
                more = start + SEND_CHUNK < len(body) or bool(message.get("more_body", False))
                await send({"type": "http.response.body", "body": body[start : start + SEND_CHUNK], "more_body": more})

        try:
            await self.app(scope, receive, send_started)
        except asyncio.CancelledError:
            if not started:
                settings = self.pool.settings
                response = problem_response(
                    ServiceError(
                        503,
                        "The service is shutting down and could not finish this request; retry it.",
                        type_="/problems/shutting-down",
                        headers={"Retry-After": str(settings.retry_after), "Connection": "close"},
                    )
                )
                await response(scope, receive, send)
            raise
        finally:
            _ticket.reset(token)
            ticket.end()
