"""Shared fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Servers


@pytest.fixture
def anyio_backend() -> str:
    """Run ``pytest.mark.anyio`` tests on asyncio only."""
    return "asyncio"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Start service processes with ``servers.start()``; every one still running is stopped at teardown."""
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
