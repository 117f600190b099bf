"""Batches: items added on an event loop are handled together, in order, within DELAY seconds."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from fastapi import FastAPI
from waiting import until

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.http.batch import SIZE, Batch, flush_batches
from service.http.observe import Observe

pytestmark = pytest.mark.anyio


def recording() -> tuple[Batch[int], list[list[int]]]:
    calls: list[list[int]] = []
    return Batch(calls.append), calls


async def test_items_added_on_a_loop_are_handled_together_within_the_delay() -> None:
    batch, calls = recording()
    for item in range(5):
        batch.add(item)
    assert calls == []  # they wait
    await until(lambda: calls, "the timer's call")
    assert calls == [[0, 1, 2, 3, 4]]  # in one call, in order
    batch.add(5)
    await until(lambda: len(calls) == 2, "the next timer's call")
    assert calls == [[0, 1, 2, 3, 4], [5]]  # a new timer for the next ones


async def test_a_full_batch_or_a_flush_handles_the_waiting_items_at_once() -> None:
    batch, calls = recording()
    for item in range(SIZE):
        batch.add(item)
    assert calls == [list(range(SIZE))]  # the last one filled the batch
    batch.add(-1)
    flush_batches()  # as at the end of a server's lifespan
    assert calls[-1] == [-1]
    flush_batches()
    assert len(calls) == 2  # nothing left: no empty call


def test_an_item_added_off_any_event_loop_is_handled_at_once() -> None:
    batch, calls = recording()
    batch.add(1)
    assert calls == [[1]]
    thread = threading.Thread(target=batch.add, args=(2,))
    thread.start()
    thread.join()
    assert calls == [[1], [2]]


async def test_handle_may_add_to_its_own_batch_and_take_other_locks() -> None:
    """``handle`` runs outside the batch's lock: no deadlock, and what it adds waits for the next round."""
    lock = threading.RLock()
    calls: list[list[int]] = []

    def handle(items: list[int]) -> None:
        with lock:
            calls.append(items)
            if items == [1]:
                batch.add(2)

    batch = Batch(handle)
    with lock:  # a thread holding its own lock (as logging does) while it flushes
        batch.add(1)
        batch.flush()
    assert calls == [[1]]
    await until(lambda: len(calls) == 2, "the next round")
    assert calls == [[1], [2]]


def test_a_loop_that_stops_before_its_timer_leaves_the_items_to_the_next_loop() -> None:
    batch, calls = recording()

    async def added(item: int) -> None:
        batch.add(item)
        await until(lambda: calls, "the new loop's timer")

    left_open = asyncio.new_event_loop()  # a loop whose timer never runs
    left_open.call_soon(batch.add, 1)
    left_open.run_until_complete(asyncio.sleep(0))
    assert calls == []
    asyncio.run(added(2))  # another loop sets its own timer, which handles both
    left_open.close()
    assert calls == [[1, 2]]


async def test_the_metrics_of_a_request_are_recorded_within_the_delay_without_a_scrape() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.post("/v1/gradients", json=SEED_TWO_LAYER)).status_code == 200
        await until(lambda: recorded(app).get("gradservice_batch_size_count"), "the recording of the metrics")
    recorded_now = recorded(app)
    assert recorded_now["gradservice_batch_size_count"] == 1  # recorded, with m = 1, though nothing scraped
    assert recorded_now["gradservice_batch_size_sum"] == 1


def recorded(app: FastAPI) -> dict[str, float]:
    """The batch-size samples of /v1/gradients recorded so far."""
    return {
        sample.name: sample.value
        for metric in observe_of(app).counters.network.batch_size.collect()
        for sample in metric.samples
        if sample.labels.get("handler") == "/v1/gradients"
    }


def observe_of(app: object) -> Observe:
    """The :class:`Observe` middleware of a built app."""
    while not isinstance(app, Observe):
        app = getattr(app, "middleware_stack", None) or app.app  # type: ignore[attr-defined]
    return app
