"""Waiting for an observable event, never for a guessed time: ``await until(lambda: calls)``.

The condition is polled every :data:`POLL` seconds; :data:`SAFETY` seconds are a safety net against a test that
would otherwise hang, never a bound the code under test is held to (speed goals are bench/'s).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL = 0.01
SAFETY = 30.0


async def until(condition: Callable[[], object], what: str = "the condition") -> None:
    """Return once ``condition()`` is true, polling on the running event loop; fail after :data:`SAFETY` s."""
    deadline = time.monotonic() + SAFETY
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {SAFETY} s")
        await asyncio.sleep(POLL)


def until_sync(condition: Callable[[], object], what: str = "the condition") -> None:
    """:func:`until` outside an event loop."""
    deadline = time.monotonic() + SAFETY
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {SAFETY} s")
        time.sleep(POLL)
