"""``AsyncGradientClient``: the methods of :class:`gradclient.GradientClient`, awaited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx
from numpy.typing import ArrayLike

from gradclient import calls, grading
from gradclient.assignments import ASSIGNMENTS, assignment_body
from gradclient.bodies import Network, auth_headers, decode, decode_text, encode, request_body
from gradclient.calls import DEFAULT_LOSS, DEFAULT_URL, IN_PROCESS_URL, MARKDOWN, Call, Encoding, Include, R
from gradclient.errors import ServiceUnreachableError
from gradclient.grading import GradeResult
from gradclient.hessian import HessianVectorResult, Vector
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

    async def post(self, path: str, body: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """POST a JSON body (a mapping, or bytes sent as they are) and return the answer's JSON object."""
        return decode(await self._send(path, body))

    async def post_text(self, path: str, body: Mapping[str, Any] | bytes, accept: str = MARKDOWN) -> str:
        """POST a JSON body and return the answer's text, asked for as ``accept`` (the Markdown derivation)."""
        return decode_text(await self._send(path, body, accept))

    async def _send(self, path: str, body: Mapping[str, Any] | bytes, accept: str | None = None) -> httpx.Response:
        headers = None if accept is None else {"Accept": accept}
        try:
            return await self._http.post(path, content=encode(body), headers=headers)
        except httpx.ConnectError as error:
            raise ServiceUnreachableError(str(self._http.base_url), error) from error

    async def call(self, call: Call[R]) -> R:
        """Send one request of :mod:`gradclient.calls` and read its answer."""
        return call.result.from_json(await self.post(call.path, call.body))

    async def forward(
        self, network: Network, inputs: ArrayLike, *, include: Include = None, encoding: Encoding | None = None
    ) -> ForwardResult:
        """z_k, l_k and ŷ for inputs X (m × n_0)."""
        return await self.call(calls.forward(network, inputs, include, encoding))

    async def loss(
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
        return await self.call(calls.loss(network, inputs, targets, loss, include, encoding))

    async def gradients(
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
        return await self.call(calls.gradients(network, inputs, targets, loss, include, encoding, input_gradient))

    async def hessian_vector(
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
        return await self.call(calls.hessian_vector(network, inputs, targets, vector, loss, include, encoding))

    async def check(
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
        return await self.call(calls.check(network, inputs, targets, loss, epsilon, include, encoding))

    async def verify(
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
        return await self.call(
            calls.verify(
                network, inputs, targets, claimed_gradients, loss, claimed_bias_gradients, rtol, include, encoding
            )
        )

    async def train(
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
        return await self.call(calls.train(network, inputs, targets, loss, learning_rate, steps, include, encoding))

    async def derivation(
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
        return await self.call(calls.derivation(network, inputs, targets, loss, include, encoding))

    async def grade(
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
        return await self.call(grading.grade(submissions, **options))

    async def grade_csv(self, submissions: Sequence[Mapping[str, Any]], **options: Any) -> str:
        """The class's grades as CSV (``Accept: text/csv``): ``student``, ``score``, a credit column per quantity,
        ``comment``; ``options`` as in :meth:`grade`."""
        return await self.post_text("/v1/grade", grading.grade_body(submissions, **options), accept="text/csv")

    async def derivation_markdown(
        self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS
    ) -> str:
        """The derivation as a Markdown document (``Accept: text/markdown``): headings, equations, LaTeX, values."""
        return await self.post_text("/v1/derivation", request_body(network, inputs, targets=targets, loss=loss))

    async def assignments(
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
        return AssignmentsResult.from_json(await self.post(ASSIGNMENTS, body))

    async def assignment_sheets(
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
        return await self.post_text(ASSIGNMENTS, body)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()
