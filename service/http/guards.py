"""ASGI middleware that guards the app before a request reaches a route.

:class:`ApiKey`: when ``api_key`` is set, ``Authorization: Bearer KEY`` or
``X-API-Key: KEY``, compared in constant time; else 401 with ``WWW-Authenticate``.
The size and the deadlines of a body are checked where it is read
(:func:`service.api.body.read_body`).

The health probes in :data:`OPEN_PATHS` pass the key unchecked, so that
an orchestrator can always tell whether the process is alive; so do the playground's files (:func:`is_page`), which
hold no answer: the page asks for the key and sends it with each of its calls. How many requests
are computed at once, and with how much memory, is the compute seam's business
(:mod:`service.http.compute`).
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.domain.errors import ServiceError
from service.domain.settings import Settings
from service.http.problems import problem_response

OPEN_PATHS = frozenset({"/healthz", "/readyz"})
"""Paths that need no API key."""


def is_page(scope: Scope) -> bool:
    """Whether ``scope`` asks for the playground (``GET``/``HEAD`` of ``/``, ``/playground`` or a file below it)."""
    path: str = scope["path"]
    return scope["method"] in ("GET", "HEAD") and (path in ("/", "/playground") or path.startswith("/playground/"))


class ApiKey:
    """Require ``settings.api_key`` (or the instructor's key) as a bearer token or an ``X-API-Key`` header, except on
    :data:`OPEN_PATHS` and the playground's files."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        keys = (settings.api_key, settings.instructor_key)
        self.digests = [digest(key.get_secret_value().encode()) for key in keys if key is not None]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.digests or scope["type"] != "http" or scope["path"] in OPEN_PATHS or is_page(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not any(authorized(headers, key_digest) for key_digest in self.digests):
            given = "x-api-key" in headers or "authorization" in headers
            response = problem_response(
                ServiceError(
                    401,
                    "The API key is wrong."
                    if given
                    else "This service needs an API key: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.",
                    type_="/problems/unauthorized",
                    headers={"WWW-Authenticate": 'Bearer realm="gradservice"'},
                )
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def digest(key: bytes) -> bytes:
    """Compare digests, not keys, so that the time taken tells nothing, not even the key's length."""
    return hashlib.sha256(key).digest()


def authorized(headers: Headers, key_digest: bytes) -> bool:
    """Whether the request carries the key of ``key_digest`` as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    candidates = [headers.get("x-api-key"), token.strip() if scheme.lower() == "bearer" else None]
    # Starlette decodes headers as latin-1: encoding back gives the bytes the client sent.
    return any(hmac.compare_digest(digest(c.encode("latin-1")), key_digest) for c in candidates if c is not None)
