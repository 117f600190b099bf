"""``HEAD`` wherever ``GET`` works: the ``GET`` route answers, its headers are sent and its body is not.

FastAPI routes a ``GET`` endpoint for ``GET`` only, so ``HEAD /healthz`` was 405; Starlette's own
routes and static files already answer ``HEAD``. RFC 9110 §9.3.2: the same status and headers
(``Content-Length`` included) as ``GET``, without content.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answer ``HEAD`` with the ``GET`` route's status and headers and an empty body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
