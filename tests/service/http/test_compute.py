"""The compute seam's rule: budget, inline, memory admission, lanes and the concurrency count."""

from __future__ import annotations

import threading

import anyio
import pytest
from waiting import until

from service.domain.errors import ServiceError
from service.domain.limits import Cost
from service.domain.settings import Settings
from service.http import compute as seam

pytestmark = pytest.mark.anyio


def ticket_of(settings: Settings) -> seam.Ticket:
    return seam.Ticket(seam.Pool(settings))


async def run_in(ticket: seam.Ticket, cost: Cost) -> int:
    token = seam._ticket.set(ticket)
    try:
        return await seam.compute(threading.get_ident, cost=cost)
    finally:
        seam._ticket.reset(token)


async def test_small_work_runs_inline_and_larger_work_in_a_thread() -> None:
    settings = Settings(inline_work=100)
    assert await run_in(ticket_of(settings), Cost(100, 10)) == threading.get_ident()
    assert await run_in(ticket_of(settings), Cost(101, 10)) != threading.get_ident()


async def test_work_over_the_budget_is_refused_naming_the_setting() -> None:
    with pytest.raises(ServiceError) as refused:
        await run_in(ticket_of(Settings(max_request_work=1000)), Cost(1001, 10))
    assert refused.value.status == 422
    assert "GRADSERVICE_MAX_REQUEST_WORK" in refused.value.detail


async def test_a_request_larger_than_the_memory_budget_is_refused() -> None:
    with pytest.raises(ServiceError) as refused:
        await run_in(ticket_of(Settings(inline_work=0, max_inflight_bytes=4000)), Cost(10, 3001))
    assert refused.value.status == 413
    assert "GRADSERVICE_MAX_INFLIGHT_BYTES" in refused.value.detail


async def test_requests_wait_for_memory_first_come_first_served_then_get_503() -> None:
    budget = seam.ByteBudget(100)
    assert await budget.acquire(60, timeout=1)
    order: list[str] = []

    async def wait(name: str, size: int) -> None:
        if await budget.acquire(size, timeout=1):
            order.append(name)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(wait, "first", 50)
        await until(lambda: len(budget.waiters) == 1, "the first waiter")
        tasks.start_soon(wait, "second", 10)  # would fit now, but waits its turn
        await until(lambda: len(budget.waiters) == 2, "the second waiter")
        assert order == []
        budget.release(60)
    assert order == ["first", "second"]
    assert budget.used == 60
    assert not await budget.acquire(50, timeout=0.05)  # does not fit in time
    assert budget.used == 60
    assert not budget.waiters


async def test_max_concurrency_counts_requests_holding_memory() -> None:
    pool = seam.Pool(Settings(max_concurrency=2, retry_after=7))
    first, second, third = seam.Ticket(pool), seam.Ticket(pool), seam.Ticket(pool)
    await first.reserve(pool.working, 10, "work")
    await second.reserve(pool.working, 10, "work")
    await second.reserve(pool.working, 10, "work")  # the same request again: still one
    with pytest.raises(ServiceError) as busy:
        await third.reserve(pool.working, 10, "work")
    assert busy.value.status == 503
    assert busy.value.headers == {"Retry-After": "7"}
    assert "GRADSERVICE_MAX_CONCURRENCY" in busy.value.detail
    first.end()
    await third.reserve(pool.working, 10, "work")
    second.end()
    third.end()
    assert (pool.admitted, pool.working.used) == (0, 0)


async def test_a_thread_still_running_keeps_its_memory_until_it_ends() -> None:
    pool = seam.Pool(Settings())
    ticket = seam.Ticket(pool)
    await ticket.reserve(pool.working, 10, "work")
    ticket.threads += 1
    ticket.end()
    assert pool.working.used == 10
    ticket.thread_ended()
    assert pool.working.used == 0
