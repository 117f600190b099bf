"""Shared fixtures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hypothesis import settings
from servers import Serve, Server, Servers, running

settings.register_profile("loaded-machine", deadline=None)
settings.load_profile("loaded-machine")
"""Hypothesis times each example against a 200 ms deadline by default: a wall-clock assertion that a busy
machine fails. Speed is the benchmark's business (``bench/``), never a test's."""


@pytest.fixture(autouse=True)
def _records_end_with_their_test() -> Iterator[None]:
    """The metrics and log lines of a test's requests are recorded by its end, not in a later test's
    (``service.http.batch``: they wait up to 50 ms, and a test's event loop may end first)."""
    yield
    from service.http.batch import flush_batches

    flush_batches()


@pytest.fixture
def anyio_backend() -> str:
    """Run ``pytest.mark.anyio`` tests on asyncio only."""
    return "asyncio"


@pytest.fixture
def serve() -> Serve:
    """``with serve(GRADSERVICE_X="1") as server:`` runs ``python -m service`` with those settings for the block."""

    def start(**env: str) -> AbstractContextManager[Server]:
        return running(env)

    return start


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Start service processes with ``servers.start()``; every one still running is stopped at teardown."""
    started = Servers()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="session")
def gradserve_url() -> Iterator[str]:
    """A real server started with the console script ``gradserve serve`` on a free loopback port."""
    with running(command=[str(Path(sys.executable).with_name("gradserve")), "serve"]) as server:
        yield server.base_url
