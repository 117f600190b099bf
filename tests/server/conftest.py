"""Fixtures of the tests that run a real server process."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from serving import Serve, Server, running


@pytest.fixture
def serve() -> Serve:
    """``with serve(GRADSERVICE_X="1") as server:`` runs a server with those settings for the block."""

    def start(**env: str) -> AbstractContextManager[Server]:
        return running(env)

    return start
