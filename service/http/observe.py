"""One pass over every request for what is recorded about it: its id, its log line and its metrics.

:class:`Observe` is the outermost middleware: it starts one timer, gives the
request an id (the client's ``X-Request-ID`` when it is a short token, else a
new one of 32 hex digits from :mod:`random`, which the OS seeds in every process: an id must be unique, not
secret, and drawing it costs no system call; the answer carries it back in ``X-Request-ID``), notes the status
of the answer, and when the request ends, keeps what is recorded of it (:class:`Answered`). Within
:data:`service.http.batch.DELAY` seconds, with the requests answered meanwhile (:mod:`service.http.batch`),
they are counted (:meth:`service.http.metrics.HttpCounters.count`) and logged
(:func:`service.http.logs.log_requests`).
"""

from __future__ import annotations

import random
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.batch import Batch
from service.http.logs import MAX_LOGGED_PATH, log_requests
from service.http.metrics import NETWORK, HttpCounters
from service.http.records import Answered

REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
"""The request ids taken from a client: short, and safe to write in a log line."""


class Observe:
    """Time, identify, count and log every HTTP request."""

    def __init__(self, app: ASGIApp, counters: HttpCounters) -> None:
        self.app = app
        self.counters = counters
        self.answered: Batch[Answered] = Batch(self._record)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = next((value for key, value in scope["headers"] if key == b"x-request-id"), b"").decode("latin-1")
        request_id = given if REQUEST_ID.fullmatch(given) else f"{random.getrandbits(128):032x}"
        status = 500  # what the server answers when the app raises before answering
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds, ended = time.perf_counter() - start, time.time()
            handler, network = self.counters.handler(scope), scope.get(NETWORK)
            ended_request = Answered(
                handler, scope["method"], scope["path"][:MAX_LOGGED_PATH], status, seconds, request_id, ended, network
            )
            self.answered.add(ended_request)

    def _record(self, answered: list[Answered]) -> None:
        self.counters.count(answered)
        log_requests(answered)
