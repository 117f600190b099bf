"""``AsyncGradientClient``: the methods of :class:`gradclient.GradientClient`, awaited.

Each method is the same request of :mod:`gradclient.calls` as the synchronous client's, awaited by
:meth:`AsyncGradientClient.call`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self

import httpx

from gradclient import assignments as assignment
from gradclient import calls, grading
from gradclient.bodies import auth_headers, encode
from gradclient.calls import DEFAULT_URL, IN_PROCESS_URL, Call, R, as_method
from gradclient.errors import ServiceUnreachableError

P = ParamSpec("P")


def _awaited(operation: Callable[P, Call[R]]) -> Callable[Concatenate[AsyncGradientClient, P], Coroutine[Any, Any, R]]:
    """``operation`` as a method of :class:`AsyncGradientClient`: its call, sent and awaited, and the answer read."""

    async def method(self: AsyncGradientClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.call(operation(*args, **kwargs))

    return as_method(method, operation, "AsyncGradientClient")


class AsyncGradientClient:
    """The asynchronous twin of :class:`GradientClient`: the same parameters and methods, awaited.

    ``transport`` may be ``httpx.ASGITransport(app=...)`` to call an ASGI app in-process.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 30.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(
                f"AsyncGradientClient needs an async transport (httpx.AsyncBaseTransport), not "
                f"{type(transport).__name__}: use GradientClient for a synchronous one"
            )
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=auth_headers(api_key), timeout=timeout, transport=transport
        )

    @classmethod
    def in_process(cls, app: Any, api_key: str | None = None, timeout: float = 30.0) -> Self:
        """A client of an ASGI app called in-process, without a socket, e.g. ``in_process(create_app())``
        with :func:`service.app.create_app`."""
        return cls(IN_PROCESS_URL, api_key, timeout, transport=httpx.ASGITransport(app=app))

    async def call(self, call: Call[R]) -> R:
        """Send one request of :mod:`gradclient.calls` and read its answer."""
        try:
            response = await self._http.post(call.path, content=encode(call.body), headers=call.headers)
        except httpx.ConnectError as error:
            raise ServiceUnreachableError(str(self._http.base_url), error) from error
        return call.read(response)

    post = _awaited(calls.post)
    post_text = _awaited(calls.post_text)
    forward = _awaited(calls.forward)
    loss = _awaited(calls.loss)
    gradients = _awaited(calls.gradients)
    hessian_vector = _awaited(calls.hessian_vector)
    check = _awaited(calls.check)
    verify = _awaited(calls.verify)
    train = _awaited(calls.train)
    derivation = _awaited(calls.derivation)
    derivation_markdown = _awaited(calls.derivation_markdown)
    grade = _awaited(grading.grade)
    grade_csv = _awaited(grading.grade_csv)
    assignments = _awaited(assignment.assignments)
    assignment_sheets = _awaited(assignment.assignment_sheets)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()
