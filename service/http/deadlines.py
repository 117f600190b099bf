"""The deadlines of the request bodies being read: one timer per event loop looks at them all.

``with Deadline(total, idle) as deadline:`` bounds the awaits in its block: they must all end within
``total`` seconds of entering it, and no more than ``idle`` seconds after the last ``deadline.progress()``,
else the task is cancelled there and the block raises :class:`TimeoutError`, as ``asyncio.timeout`` does.

A request only enters its deadline in the set of its event loop's :class:`Watch`, and one timer, set
while the set is not empty, checks the set every :data:`TICK` seconds: a body is cut off at most
:data:`TICK` seconds after its limit.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Literal

TICK = 0.05
"""Seconds between two checks of the deadlines of one event loop, while bodies are being read."""


class Watch:
    """The deadlines in force on one event loop, and its timer that checks them every :data:`TICK` seconds."""

    def __init__(self) -> None:
        self.deadlines: set[Deadline] = set()
        self.checking = False

    def add(self, deadline: Deadline, loop: asyncio.AbstractEventLoop) -> None:
        """Watch ``deadline``, on ``loop``; the timer is set if it is not."""
        self.deadlines.add(deadline)
        if not self.checking:
            loop.call_later(TICK, self.check, loop)
            self.checking = True

    def check(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancel the tasks whose deadline has passed; check again in :data:`TICK` seconds while any are left."""
        now = loop.time()
        for deadline in self.deadlines:
            if deadline.expired is None and now >= deadline.due():
                deadline.expire(now)
        self.checking = bool(self.deadlines)
        if self.checking:
            loop.call_later(TICK, self.check, loop)


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watch] = weakref.WeakKeyDictionary()
"""Each event loop's :class:`Watch`, gone with its loop."""


class Deadline:
    """A context manager that cancels its block when ``total`` seconds pass, or ``idle`` without progress."""

    def __init__(self, total: float, idle: float) -> None:
        self.total, self.idle = total, idle
        self.expired: Literal["total", "idle"] | None = None
        self.paused_at: float | None = None
        """``"total"`` or ``"idle"`` once the deadline has passed; the block then raises :class:`TimeoutError`."""

    def __enter__(self) -> Deadline:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a Deadline must be entered in a task")
        self.loop, self.task, self.cancelling = loop, task, task.cancelling()
        self.last = loop.time()
        self.until = self.last + self.total
        watch = _watches.get(loop)
        if watch is None:
            watch = _watches[loop] = Watch()
        self.watch = watch
        watch.add(self, loop)
        return self

    def progress(self) -> None:
        """Something arrived: the ``idle`` seconds count again from now."""
        self.last = self.loop.time()

    def due(self) -> float:
        """The loop time at which the block is cut off; never while :meth:`paused`."""
        return math.inf if self.paused_at is not None else min(self.until, self.last + self.idle)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """A wait of the server's own (for memory to read a body into) within the block: it counts in neither
        deadline, which both start again from where they stood when it ends."""
        self.paused_at = self.loop.time()
        try:
            yield
        finally:
            now = self.loop.time()
            self.until += now - self.paused_at
            self.last, self.paused_at = now, None

    def expire(self, now: float) -> None:
        """The deadline has passed at loop time ``now``: cancel the block's task."""
        self.expired = "total" if now >= self.until else "idle"
        self.task.cancel()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.watch.deadlines.discard(self)
        # Our cancellation, and no other since entering (a shutdown's, say): a timeout, as asyncio.timeout says it.
        if self.expired is not None and self.task.uncancel() <= self.cancelling and kind is asyncio.CancelledError:
            raise TimeoutError from error
