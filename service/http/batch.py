"""Bookkeeping done together: items added on an event loop wait a moment, then are handled in one call.

Used for each request's metrics and log line (:mod:`service.http.observe`; why: ``bench/README.md``).
A :class:`Batch` holds the
items added on an event loop until :data:`DELAY` seconds have passed since the first of them, :data:`SIZE`
wait, or :meth:`Batch.flush` is called; an item added off any event loop is handled at once. Each event
loop sets its own timer: a timer on a loop that no longer runs would hold the items until a flush.
:func:`flush_batches` flushes every batch of the process, as the end of a server's lifespan does
(:mod:`service.stopping`).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
DELAY = 0.05
"""Seconds an item may wait for others, to be handled with them."""
SIZE = 256
"""Items handled at once, at most."""

_batches: weakref.WeakSet[Batch[Any]] = weakref.WeakSet()


class Batch(Generic[T]):
    """Items handled together by ``handle(items)``, in the order they were added, within :data:`DELAY` seconds."""

    def __init__(self, handle: Callable[[list[T]], None]) -> None:
        self.handle = handle
        self.pending: list[T] = []
        self.scheduled_on: asyncio.AbstractEventLoop | None = None
        self.lock = threading.Lock()
        _batches.add(self)

    def add(self, item: T) -> None:
        """Handle ``item`` with the others soon: at once off an event loop or when :data:`SIZE` wait."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self.lock:
            self.pending.append(item)
            now = loop is None or len(self.pending) >= SIZE
            if loop is not None and not now and self.scheduled_on is not loop:  # else this loop's timer is set
                loop.call_later(DELAY, self._scheduled)
                self.scheduled_on = loop
        if now:
            self.flush()

    def _scheduled(self) -> None:
        self.scheduled_on = None
        self.flush()

    def flush(self) -> None:
        """Handle the items that wait, now (outside the lock: ``handle`` may take locks of its own)."""
        with self.lock:
            items, self.pending = self.pending, []
        if items:
            self.handle(items)


def flush_batches() -> None:
    """Handle the items that wait in every batch of this process."""
    for batch in list(_batches):
        batch.flush()
