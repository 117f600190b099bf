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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx
from numpy.typing import ArrayLike

from gradclient import calls, grading
from gradclient.assignments import ASSIGNMENTS, assignment_body
from gradclient.asyncclient import AsyncGradientClient
from gradclient.bodies import Network, auth_headers, decode, decode_text, encode, request_body
from gradclient.calls import DEFAULT_LOSS, DEFAULT_URL, IN_PROCESS_URL, MARKDOWN, Call, Encoding, Include, R
from gradclient.errors import ServiceUnreachableError
from gradclient.grading import GradeResult
from gradclient.hessian import HessianVectorResult, Vector
from gradclient.inprocess import SyncOverAsync
from gradclient.results import (
    AssignmentsResult,
    CheckResult,
    DerivationResult,
    ForwardResult,
    GradientsResult,
    LossResult,
    TrainResult,
    VerifyResult,
)

__all__ = ["AsyncGradientClient", "GradientClient"]


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

    def post(self, path: str, body: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """POST a JSON body (a mapping, or bytes sent as they are) and return the answer's JSON object."""
        return decode(self._send(path, body))

    def post_text(self, path: str, body: Mapping[str, Any] | bytes, accept: str = MARKDOWN) -> str:
        """POST a JSON body and return the answer's text, asked for as ``accept`` (the Markdown derivation)."""
        return decode_text(self._send(path, body, accept))

    def _send(self, path: str, body: Mapping[str, Any] | bytes, accept: str | None = None) -> httpx.Response:
        headers = None if accept is None else {"Accept": accept}
        try:
            return self._http.post(path, content=encode(body), headers=headers)
        except httpx.ConnectError as error:
            raise ServiceUnreachableError(str(self._http.base_url), error) from error

    def call(self, call: Call[R]) -> R:
        """Send one request of :mod:`gradclient.calls` and read its answer."""
        return call.result.from_json(self.post(call.path, call.body))

    def forward(
        self, network: Network, inputs: ArrayLike, *, include: Include = None, encoding: Encoding | None = None
    ) -> ForwardResult:
        """z_k, l_k and ŷ for inputs X (m × n_0)."""
        return self.call(calls.forward(network, inputs, include, encoding))

    def loss(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> LossResult:
        """The loss L and ŷ for inputs X (m × n_0) and targets Y (m × n_L)."""
        return self.call(calls.loss(network, inputs, targets, loss, include, encoding))

    def gradients(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        input_gradient: bool = False,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> GradientsResult:
        """Loss, ŷ and each layer's z_k, l_k, Δ_k, ∂L/∂W_k (∂L/∂b_k); with ``input_gradient``, ∂L/∂X (m × n_0)."""
        return self.call(calls.gradients(network, inputs, targets, loss, include, encoding, input_gradient))

    def hessian_vector(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        vector: Vector,
        loss: str = DEFAULT_LOSS,
        *,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> HessianVectorResult:
        """The exact ∇²L · v (``vector``: one V_k per layer, shaped like W_k), the gradient, slope and curvature."""
        return self.call(calls.hessian_vector(network, inputs, targets, vector, loss, include, encoding))

    def check(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        epsilon: float | None = None,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> CheckResult:
        """Compare backpropagation with central differences of step ``epsilon`` (the service's default if None)."""
        return self.call(calls.check(network, inputs, targets, loss, epsilon, include, encoding))

    def verify(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        claimed_gradients: Sequence[ArrayLike],
        loss: str = DEFAULT_LOSS,
        *,
        claimed_bias_gradients: Sequence[ArrayLike | None] | None = None,
        rtol: float | None = None,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> VerifyResult:
        """Diagnose claimed gradients ∂L/∂W_k, one matrix per layer (sign, transpose, scale, missing f′ …)."""
        return self.call(
            calls.verify(
                network, inputs, targets, claimed_gradients, loss, claimed_bias_gradients, rtol, include, encoding
            )
        )

    def train(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        learning_rate: float | None = None,
        steps: int | None = None,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> TrainResult:
        """Gradient descent W_k ← W_k − η ∂L/∂W_k; ``None`` leaves the service's default η and step count."""
        return self.call(calls.train(network, inputs, targets, loss, learning_rate, steps, include, encoding))

    def derivation(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        include: Include = None,
        encoding: Encoding | None = None,
    ) -> DerivationResult:
        """Every equation of the forward pass, the loss and backpropagation, with shapes and values."""
        return self.call(calls.derivation(network, inputs, targets, loss, include, encoding))

    def grade(
        self,
        submissions: Sequence[Mapping[str, Any]],
        *,
        comparison: Mapping[str, Any] | None = None,
        weights: Mapping[str, float] | None = None,
        mistake_credit: Mapping[str, float] | None = None,
        carry_forward: bool | None = None,
        carried_forward_credit: float | None = None,
        expected: bool | None = None,
    ) -> GradeResult:
        """Grade a class (``POST /v1/grade``): each submission ``{"student", "problem", "answer"}`` quantity by
        quantity, with error carried forward; the options as the service names them."""
        options = {
            "comparison": comparison,
            "weights": weights,
            "mistake_credit": mistake_credit,
            "carry_forward": carry_forward,
            "carried_forward_credit": carried_forward_credit,
            "expected": expected,
        }
        return self.call(grading.grade(submissions, **options))

    def grade_csv(self, submissions: Sequence[Mapping[str, Any]], **options: Any) -> str:
        """The class's grades as CSV (``Accept: text/csv``): ``student``, ``score``, a credit column per quantity,
        ``comment``; ``options`` as in :meth:`grade`."""
        return self.post_text("/v1/grade", grading.grade_body(submissions, **options), accept="text/csv")

    def derivation_markdown(
        self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS
    ) -> str:
        """The derivation as a Markdown document (``Accept: text/markdown``): headings, equations, LaTeX, values."""
        return self.post_text("/v1/derivation", request_body(network, inputs, targets=targets, loss=loss))

    def assignments(
        self,
        seed: int,
        students: Sequence[str],
        sizes: Sequence[int],
        activations: Sequence[str],
        loss: str = DEFAULT_LOSS,
        *,
        examples: int = 1,
        bias: bool = False,
        decimals: int = 1,
        key: bool = False,
    ) -> AssignmentsResult:
        """A problem per student from one seed (each a ``/v1/gradients`` request); ``key=True`` adds each answer.

        ``sizes`` are n_0 … n_L, ``activations`` f_1 … f_L, ``examples`` m, ``decimals`` those of the given numbers.
        The same seed, template and id always give the same problem, whoever else is listed.
        """
        body = assignment_body(
            seed, students, sizes, activations, loss, examples=examples, bias=bias, decimals=decimals, key=key
        )
        return AssignmentsResult.from_json(self.post(ASSIGNMENTS, body))

    def assignment_sheets(
        self,
        seed: int,
        students: Sequence[str],
        sizes: Sequence[int],
        activations: Sequence[str],
        loss: str = DEFAULT_LOSS,
        *,
        examples: int = 1,
        bias: bool = False,
        decimals: int = 1,
    ) -> str:
        """The printable sheets of :meth:`assignments` as Markdown, one per student, separated by page breaks."""
        body = assignment_body(
            seed, students, sizes, activations, loss, examples=examples, bias=bias, decimals=decimals
        )
        return self.post_text(ASSIGNMENTS, body)

    def close(self) -> None:
        """Close the connections (and an in-process transport's event loop)."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
