"""The request body of the network routes: a JSON body read and validated as a request model (:func:`read_json`).

A body with a ``Content-Encoding`` other than ``identity`` is a 415. The body may hold at most ``max_body_bytes``
(413, checked before and while it is read) and must arrive within ``body_timeout`` seconds in all and with no
pause longer than ``body_idle_timeout``, else 408 (:func:`read_body`); its memory is reserved before it is read
(:func:`service.http.compute.reserve_body`).
How the bytes become a model is the fast path's business (:func:`service.domain.fastpath.read_request`), run
through the compute seam (:func:`service.http.compute.compute`) so that a large body is read off the event
loop; :mod:`service.api.openapi` documents the body.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import ClientDisconnect, Request

from service.domain.errors import ServiceError
from service.domain.fastpath import read_request
from service.domain.limits import body_cost, check_body_bytes
from service.domain.settings import Settings, get_settings
from service.http.compute import BODY_STEP, compute, reserve_body, unreserved_body_bytes
from service.http.deadlines import Deadline
from service.http.metrics import note_network

JSON_TYPES = ("application/json",)
IDENTITY = ("", "identity")
"""The only content coding a request body may have (RFC 9110 § 8.4): none. Any other is a 415 naming
``Accept-Encoding: identity`` (§ 15.5.16), read by no decoder: a gzip body's decoded size is not known before it
is decoded, and the memory budget counts every byte before it is held."""
M = TypeVar("M", bound=BaseModel)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in JSON_TYPES or media_type.endswith("+json")


async def read_json(request: Request, model: type[M]) -> M:
    """The request's body read, screened, parsed and validated as ``model`` (one pass: :func:`read_request`).

    415 unless the body is JSON, and not encoded; the size and deadlines of :func:`read_body`; then the fast
    path, through the compute seam so that a large body is read off the event loop. The network's size is noted
    for the metrics.
    """
    check_json_headers(request)
    settings = app_settings(request)
    body = await read_body(request, settings)
    try:
        payload: M = await compute(read_request, model, body, settings, cost=body_cost(len(body)), reading=True)
    except Exception as error:
        # The error came from a thread through a future that its traceback's frames hold: a reference cycle
        # that would keep the body and the parser's objects (a 16 MB body: some 100 MB) until the cyclic
        # garbage collector ran. Without that traceback they go with the request.
        raise error.with_traceback(None) from None
    note_network(request.scope, payload)
    return payload


def check_json_headers(request: Request) -> None:
    """415 unless the body is JSON (``Content-Type``) and not encoded (``Content-Encoding``: none or identity)."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json(content_type):
        raise ServiceError(
            415,
            f"The request body must be JSON (Content-Type: application/json), not {content_type[:100]!r}.",
            type_="/problems/unsupported-media-type",
        )
    encoding = request.headers.get("content-encoding")
    if encoding is not None and encoding.strip().lower() not in IDENTITY:
        raise ServiceError(
            415,
            f"The request body must not be encoded (Content-Encoding: {encoding[:100]!r}): send it as it is, "
            "without Content-Encoding or with Content-Encoding: identity.",
            type_="/problems/unsupported-media-type",
            headers={"Accept-Encoding": "identity"},
        )


def app_settings(request: Request) -> Settings:
    """The settings of the app serving ``request``: ``create_app(settings)``'s, else the environment's."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


async def read_body(request: Request, settings: Settings) -> bytes:
    """The whole body: 413 beyond ``max_body_bytes`` (by its ``Content-Length``, else as soon as that many bytes
    have arrived, chunked or not, without reading the rest), 408 if it takes longer than ``body_timeout`` or pauses
    longer than ``body_idle_timeout`` (checked every :data:`service.http.deadlines.TICK` seconds).

    Every byte is counted before it is held (:func:`service.http.compute.reserve_body`): a body with a
    ``Content-Length`` reserves its memory before its first byte is read, a chunked one in steps of
    :data:`~service.http.compute.BODY_STEP` bytes before the chunk that needs the next step is kept. While the
    memory is not free the body is not read, so uvicorn stops reading the socket and TCP makes the client wait;
    after ``queue_timeout`` the answer is a 503 with ``Retry-After``. The wait counts in neither deadline.
    """
    length = request.headers.get("content-length", "")
    declared = int(length) if length.isdigit() else None
    check_body_bytes(declared or 0, settings)
    allowed = unreserved_body_bytes(settings)
    if declared is not None:
        await reserve_body(declared)
        allowed = declared
    chunks: list[bytes] = []
    received = 0
    deadline = Deadline(settings.body_timeout, settings.body_idle_timeout)
    try:
        with deadline:
            while True:
                message = await request.receive()
                deadline.progress()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect
                chunk = message.get("body", b"")
                received += len(chunk)
                check_body_bytes(received, settings, so_far=True)
                if received > allowed:  # chunked: the next steps, before the chunk is kept
                    allowed = min(max(received, allowed + BODY_STEP), settings.max_body_bytes)
                    with deadline.paused():
                        await reserve_body(allowed)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return chunks[0] if len(chunks) == 1 else _joined(chunks)
    except TimeoutError:
        raise _too_slow(settings, deadline.expired == "total") from None


def _joined(chunks: list[bytes]) -> bytes:
    """The chunks as one ``bytes``; the list is emptied, so that the pieces go as soon as the whole is made."""
    body = b"".join(chunks)
    chunks.clear()
    return body


def _too_slow(settings: Settings, overall: bool) -> ServiceError:
    if overall:
        what = f"did not arrive within {settings.body_timeout:g} s (GRADSERVICE_BODY_TIMEOUT)"
    else:
        what = f"stopped for {settings.body_idle_timeout:g} s (GRADSERVICE_BODY_IDLE_TIMEOUT)"
    return ServiceError(
        408,
        f"The request body {what}; send it again, faster.",
        type_="/problems/request-timeout",
        headers={"Connection": "close"},
    )
