"""``GradientClient`` and ``AsyncGradientClient``: the service's endpoints as methods, on httpx.

>>> from gradclient import GradientClient
>>> with GradientClient("http://127.0.0.1:8000") as client:          # doctest: +SKIP
...     result = client.gradients([[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.7], [-0.3]]],
...                               inputs=[1.0, 0.5, -1.5], targets=1.0)
...     result.layers[1].weights_gradient                              # ∂L/∂W_2, 2 × 1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx
from numpy.typing import ArrayLike

from gradclient.bodies import Network, auth_headers, decode, encode, request_body
from gradclient.results import (
    CheckResult,
    ForwardResult,
    GradientsResult,
    LossResult,
    TrainResult,
    VerifyResult,
)

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_LOSS = "half_squared_error"


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
    transport : httpx.BaseTransport, optional
        A custom httpx transport (tests, proxies, retries).

    Every method raises :class:`gradclient.ProblemError` when the service answers with an error,
    and httpx's ``TransportError`` when it cannot be reached.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        timeout: float = 30.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url, headers=auth_headers(api_key), timeout=timeout, transport=transport
        )

    def post(self, path: str, body: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """POST a JSON body (a mapping, or bytes sent as they are) and return the answer's JSON object."""
        return decode(self._http.post(path, content=encode(body)))

    def forward(self, network: Network, inputs: ArrayLike) -> ForwardResult:
        """z_k, l_k and ŷ for inputs X (m × n_0)."""
        return ForwardResult.from_json(self.post("/v1/forward", request_body(network, inputs)))

    def loss(self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS) -> LossResult:
        """The loss L and ŷ for inputs X (m × n_0) and targets Y (m × n_L)."""
        return LossResult.from_json(self.post("/v1/loss", request_body(network, inputs, targets=targets, loss=loss)))

    def gradients(
        self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS
    ) -> GradientsResult:
        """The loss, ŷ and every layer's z_k, l_k, Δ_k, ∂L/∂W_k (and ∂L/∂b_k)."""
        body = request_body(network, inputs, targets=targets, loss=loss)
        return GradientsResult.from_json(self.post("/v1/gradients", body))

    def check(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        epsilon: float | None = None,
    ) -> CheckResult:
        """Compare backpropagation with central differences of step ``epsilon`` (the service's default if None)."""
        body = request_body(network, inputs, targets=targets, loss=loss, epsilon=epsilon)
        return CheckResult.from_json(self.post("/v1/gradients/check", body))

    def verify(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        claimed_gradients: Sequence[ArrayLike],
        loss: str = DEFAULT_LOSS,
        *,
        claimed_bias_gradients: Sequence[ArrayLike | None] | None = None,
    ) -> VerifyResult:
        """Diagnose claimed gradients ∂L/∂W_k, one matrix per layer (sign, transpose, scale, missing f′ …)."""
        body = request_body(
            network,
            inputs,
            targets=targets,
            loss=loss,
            claimed_gradients=claimed_gradients,
            claimed_bias_gradients=claimed_bias_gradients,
        )
        return VerifyResult.from_json(self.post("/v1/gradients/verify", body))

    def train(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        learning_rate: float | None = None,
        steps: int | None = None,
    ) -> TrainResult:
        """Gradient descent W_k ← W_k − η ∂L/∂W_k; ``None`` leaves the service's default η and step count."""
        body = request_body(network, inputs, targets=targets, loss=loss, learning_rate=learning_rate, steps=steps)
        return TrainResult.from_json(self.post("/v1/train", body))

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


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
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=auth_headers(api_key), timeout=timeout, transport=transport
        )

    async def post(self, path: str, body: Mapping[str, Any] | bytes) -> dict[str, Any]:
        """POST a JSON body (a mapping, or bytes sent as they are) and return the answer's JSON object."""
        return decode(await self._http.post(path, content=encode(body)))

    async def forward(self, network: Network, inputs: ArrayLike) -> ForwardResult:
        """z_k, l_k and ŷ for inputs X (m × n_0)."""
        return ForwardResult.from_json(await self.post("/v1/forward", request_body(network, inputs)))

    async def loss(
        self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS
    ) -> LossResult:
        """The loss L and ŷ for inputs X (m × n_0) and targets Y (m × n_L)."""
        body = request_body(network, inputs, targets=targets, loss=loss)
        return LossResult.from_json(await self.post("/v1/loss", body))

    async def gradients(
        self, network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS
    ) -> GradientsResult:
        """The loss, ŷ and every layer's z_k, l_k, Δ_k, ∂L/∂W_k (and ∂L/∂b_k)."""
        body = request_body(network, inputs, targets=targets, loss=loss)
        return GradientsResult.from_json(await self.post("/v1/gradients", body))

    async def check(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        epsilon: float | None = None,
    ) -> CheckResult:
        """Compare backpropagation with central differences of step ``epsilon`` (the service's default if None)."""
        body = request_body(network, inputs, targets=targets, loss=loss, epsilon=epsilon)
        return CheckResult.from_json(await self.post("/v1/gradients/check", body))

    async def verify(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        claimed_gradients: Sequence[ArrayLike],
        loss: str = DEFAULT_LOSS,
        *,
        claimed_bias_gradients: Sequence[ArrayLike | None] | None = None,
    ) -> VerifyResult:
        """Diagnose claimed gradients ∂L/∂W_k, one matrix per layer (sign, transpose, scale, missing f′ …)."""
        body = request_body(
            network,
            inputs,
            targets=targets,
            loss=loss,
            claimed_gradients=claimed_gradients,
            claimed_bias_gradients=claimed_bias_gradients,
        )
        return VerifyResult.from_json(await self.post("/v1/gradients/verify", body))

    async def train(
        self,
        network: Network,
        inputs: ArrayLike,
        targets: ArrayLike,
        loss: str = DEFAULT_LOSS,
        *,
        learning_rate: float | None = None,
        steps: int | None = None,
    ) -> TrainResult:
        """Gradient descent W_k ← W_k − η ∂L/∂W_k; ``None`` leaves the service's default η and step count."""
        body = request_body(network, inputs, targets=targets, loss=loss, learning_rate=learning_rate, steps=steps)
        return TrainResult.from_json(await self.post("/v1/train", body))

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()
