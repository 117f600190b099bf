"""The body deadlines: one timer per event loop, a block cut off within a tick of its limit."""

from __future__ import annotations

import asyncio
import time

import pytest
from waiting import until

from service.http.deadlines import Deadline, _watches

pytestmark = pytest.mark.anyio


async def test_a_block_longer_than_its_total_raises_timeout_error() -> None:
    start = time.monotonic()
    deadline = Deadline(0.2, 60)
    with pytest.raises(TimeoutError), deadline:
        await asyncio.Event().wait()  # a hang: only the deadline ends it
    assert deadline.expired == "total"
    assert time.monotonic() - start >= 0.2  # never early; how late is bench's business


async def test_a_pause_longer_than_idle_raises_timeout_error_even_with_progress_before() -> None:
    start = time.monotonic()
    deadline = Deadline(60, 0.3)

    async def three_pieces_then_a_pause() -> None:
        with deadline:
            for _ in range(3):
                await asyncio.sleep(0)
                deadline.progress()
            await asyncio.Event().wait()  # a hang: only the deadline ends it

    with pytest.raises(TimeoutError):
        await three_pieces_then_a_pause()
    assert deadline.expired == "idle"
    assert time.monotonic() - start >= 0.3


async def test_progress_keeps_a_block_alive_past_idle_and_nothing_is_left_behind() -> None:
    deadline = Deadline(60, 2.5)
    with deadline:
        for _ in range(80):  # 4 s in all, more than idle, with progress every 0.05 s
            await asyncio.sleep(0.05)
            deadline.progress()
    assert deadline.expired is None
    watch = _watches[asyncio.get_running_loop()]
    assert not watch.deadlines
    await until(lambda: not watch.checking, "the timer's end")  # no timer once no body is being read
    await asyncio.sleep(0)  # the task was never cancelled: it still runs
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_each_block_has_its_own_deadline() -> None:
    async def block(total: float, seconds: float) -> str:
        deadline = Deadline(total, 10)
        try:
            with deadline:
                await asyncio.sleep(seconds)
        except TimeoutError:
            return f"timeout after {total}"
        return "done"

    results = await asyncio.gather(block(0.2, 5), block(5, 0.3), block(0.4, 5), block(5, 0.01))
    assert list(results) == ["timeout after 0.2", "done", "timeout after 0.4", "done"]


async def test_another_cancellation_is_not_a_timeout() -> None:
    entered = asyncio.Event()

    async def late_block() -> None:
        with Deadline(60, 60):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.ensure_future(late_block())
    await entered.wait()
    task.cancel()  # a shutdown, say, before the deadline
    with pytest.raises(asyncio.CancelledError):
        await task

    async def cancelled_after_its_deadline() -> None:
        deadline = Deadline(0.05, 10)
        with deadline:
            try:
                await asyncio.sleep(5)
            finally:
                assert deadline.expired == "total"
                asyncio.current_task().cancel()  # type: ignore[union-attr]  # and a shutdown at the same time
                await asyncio.sleep(0)

    with pytest.raises(asyncio.CancelledError):
        await cancelled_after_its_deadline()


async def test_a_block_that_ends_in_time_raises_nothing_and_its_errors_pass_through() -> None:
    with Deadline(0.5, 0.5):
        await asyncio.sleep(0.01)
    with pytest.raises(KeyError), Deadline(0.5, 0.5):
        raise KeyError("x")


async def test_a_paused_wait_counts_in_neither_deadline() -> None:
    """The server's own wait (for memory to read a body into) is not the client's slowness."""
    deadline = Deadline(0.3, 0.2)
    with deadline:
        with deadline.paused():
            await asyncio.sleep(0.6)  # longer than both limits
        assert deadline.due() > asyncio.get_running_loop().time() + 0.1
    assert deadline.expired is None
