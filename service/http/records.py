"""What is recorded of one answered request: counted by :mod:`service.http.metrics`, logged by
:mod:`service.http.logs`, made by :class:`service.http.observe.Observe`."""

from __future__ import annotations

from typing import NamedTuple


class Answered(NamedTuple):
    """What is recorded of one answered request."""

    handler: str
    """The route template that served it (:meth:`service.http.metrics.HttpCounters.handler`)."""
    method: str
    path: str
    """Its first :data:`service.http.logs.MAX_LOGGED_PATH` characters: what the log line shows."""
    status: int
    seconds: float
    """From the request's start to the end of its answer."""
    request_id: str
    ended: float
    """When it ended: seconds since the epoch (``time.time()``)."""
    network: tuple[int, int] | None
    """The size of its network, (parameters, m), if its body was valid (:func:`service.http.metrics.note_network`)."""
