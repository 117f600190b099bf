"""``GradientClient`` and ``AsyncGradientClient``: the service's endpoints as methods, on httpx.

>>> from gradclient import GradientClient
>>> with GradientClient("http://127.0.0.1:8000") as client:          # doctest: +SKIP
...     result = client.gradients([[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.7], [-0.3]]],
...                               inputs=[1.0, 0.5, -1.5], targets=1.0, input_gradient=True)
...     result.layers[1].weights_gradient                              # ∂L/∂W_2, 2 × 1
...     result.input_gradient                                          # ∂L/∂X, 1 × 3

Both clients call an ASGI app in-process with ``transport=httpx.ASGITransport(app=app)``.
Every method raises :class:`gradclient.ProblemError` when the service answers with an error,
and httpx's ``TransportError`` when it cannot be reached. ``include`` and ``encoding`` are the
service's response options (:mod:`gradclient.calls`).

Each method is a request of :mod:`gradclient.calls` (or :mod:`~gradclient.grading`,
:mod:`~gradclient.assignments`), described there once with its parameters and documentation, and sent by
:meth:`GradientClient.call`; the asynchronous client awaits the same requests.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self

import httpx

from gradclient import assignments as assignment
from gradclient import calls, grading
from gradclient.asyncclient import AsyncGradientClient
from gradclient.bodies import auth_headers, encode
from gradclient.calls import DEFAULT_URL, IN_PROCESS_URL, Call, R, as_method
from gradclient.errors import ServiceUnreachableError
from gradclient.inprocess import SyncOverAsync

__all__ = ["AsyncGradientClient", "GradientClient"]

P = ParamSpec("P")


def _sent(operation: Callable[P, Call[R]]) -> Callable[Concatenate[GradientClient, P], R]:
    """``operation`` as a method of :class:`GradientClient`: its call, sent, and the answer read."""

    def method(self: GradientClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.call(operation(*args, **kwargs))

    return as_method(method, operation, "GradientClient")


class GradientClient:
    """A synchronous client.

    Parameters
    ----------
    base_url : str
        Where the service listens, e.g. ``"http://127.0.0.1:8000"``.
    api_key : str, optional
        Sent as ``Authorization: Bearer <api_key>``.
    timeout : float
        Seconds to wait for connecting, sending and each read.
    transport : httpx.BaseTransport or httpx.AsyncBaseTransport, optional
        A custom httpx transport (tests, proxies, retries). An async one, such as
        ``httpx.ASGITransport(app=service.app.create_app())``, calls the app in-process on an event loop
        of its own thread (:class:`gradclient.inprocess.SyncOverAsync`).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 30.0,
        *,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if isinstance(transport, httpx.AsyncBaseTransport) and not isinstance(transport, httpx.BaseTransport):
            transport = SyncOverAsync(transport)
        self._http = httpx.Client(
            base_url=base_url, headers=auth_headers(api_key), timeout=timeout, transport=transport
        )

    @classmethod
    def in_process(cls, app: Any, api_key: str | None = None, timeout: float = 30.0) -> Self:
        """A client of an ASGI app called in-process, without a socket, e.g. ``in_process(create_app())``
        with :func:`service.app.create_app`."""
        return cls(IN_PROCESS_URL, api_key, timeout, transport=httpx.ASGITransport(app=app))

    def call(self, call: Call[R]) -> R:
        """Send one request of :mod:`gradclient.calls` and read its answer."""
        try:
            response = self._http.post(call.path, content=encode(call.body), headers=call.headers)
        except httpx.ConnectError as error:
            raise ServiceUnreachableError(str(self._http.base_url), error) from error
        return call.read(response)

    post = _sent(calls.post)
    post_text = _sent(calls.post_text)
    forward = _sent(calls.forward)
    loss = _sent(calls.loss)
    gradients = _sent(calls.gradients)
    hessian_vector = _sent(calls.hessian_vector)
    check = _sent(calls.check)
    verify = _sent(calls.verify)
    train = _sent(calls.train)
    derivation = _sent(calls.derivation)
    derivation_markdown = _sent(calls.derivation_markdown)
    grade = _sent(grading.grade)
    grade_csv = _sent(grading.grade_csv)
    assignments = _sent(assignment.assignments)
    assignment_sheets = _sent(assignment.assignment_sheets)

    def close(self) -> None:
        """Close the connections (and an in-process transport's event loop)."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
