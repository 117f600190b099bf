"""One request of each endpoint: its path, its body and the result class of its answer, shared by both clients.

``include`` and ``encoding`` are the service's response options on every endpoint: ``include`` names the
fields to send (the others come back as ``None``), ``encoding="base64"`` sends arrays as compact tensors,
which the results read like lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from numpy.typing import ArrayLike

from gradclient.bodies import Network, request_body
from gradclient.hessian import HessianVectorResult, Vector, vector_json
from gradclient.results import (
    CheckResult,
    DerivationResult,
    ForwardResult,
    GradientsResult,
    LossResult,
    Result,
    TrainResult,
    VerifyResult,
)

R = TypeVar("R", bound=Result)
DEFAULT_URL = "http://127.0.0.1:8000"
IN_PROCESS_URL = "http://in-process"
"""The base URL of a client that calls an app in-process (it names no host: no socket is opened)."""
Include = Sequence[str] | None
DEFAULT_LOSS = "half_squared_error"
Encoding = Literal["json", "base64"]
GRADIENTS_FIELDS = ("loss", "output", "layers")
"""What ``/v1/gradients`` sends by default: ``input_gradient=True`` adds ``input_gradient`` to these."""
MARKDOWN = "text/markdown"


class Call(NamedTuple, Generic[R]):
    """A POST: the path, the JSON body and the class that reads the answer."""

    path: str
    body: dict[str, Any]
    result: type[R]


def options(body: dict[str, Any], include: Sequence[str] | None, encoding: Encoding | None = None) -> dict[str, Any]:
    """``body`` with the response options that are set."""
    if include is not None:
        body["include"] = list(include)
    if encoding is not None:
        body["encoding"] = encoding
    return body


def forward(
    network: Network, inputs: ArrayLike, include: Sequence[str] | None, encoding: Encoding | None
) -> Call[ForwardResult]:
    return Call("/v1/forward", options(request_body(network, inputs), include, encoding), ForwardResult)


def loss(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str,
    include: Sequence[str] | None,
    encoding: Encoding | None,
) -> Call[LossResult]:
    body = request_body(network, inputs, targets=targets, loss=loss)
    return Call("/v1/loss", options(body, include, encoding), LossResult)


def gradients(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str,
    include: Sequence[str] | None,
    encoding: Encoding | None,
    input_gradient: bool,
) -> Call[GradientsResult]:
    if input_gradient:
        include = [*(GRADIENTS_FIELDS if include is None else include), "input_gradient"]
    body = request_body(network, inputs, targets=targets, loss=loss)
    return Call("/v1/gradients", options(body, include, encoding), GradientsResult)


def hessian_vector(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    vector: Vector,
    loss: str,
    include: Sequence[str] | None,
    encoding: Encoding | None,
) -> Call[HessianVectorResult]:
    body = request_body(network, inputs, targets=targets, loss=loss, vector=vector_json(vector))
    return Call("/v1/gradients/hessian-vector", options(body, include, encoding), HessianVectorResult)


def check(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str,
    epsilon: float | None,
    include: Sequence[str] | None,
    encoding: Encoding | None,
) -> Call[CheckResult]:
    body = request_body(network, inputs, targets=targets, loss=loss, epsilon=epsilon)
    return Call("/v1/gradients/check", options(body, include, encoding), CheckResult)


def verify(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    claimed_gradients: Sequence[ArrayLike],
    loss: str,
    claimed_bias_gradients: Sequence[ArrayLike | None] | None,
    rtol: float | None,
    include: Sequence[str] | None,
    encoding: Encoding | None,
) -> Call[VerifyResult]:
    body = request_body(
        network,
        inputs,
        targets=targets,
        loss=loss,
        claimed_gradients=claimed_gradients,
        claimed_bias_gradients=claimed_bias_gradients,
        rtol=rtol,
    )
    return Call("/v1/gradients/verify", options(body, include, encoding), VerifyResult)


def train(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str,
    learning_rate: float | None,
    steps: int | None,
    include: Sequence[str] | None,
    encoding: Encoding | None,
) -> Call[TrainResult]:
    body = request_body(network, inputs, targets=targets, loss=loss, learning_rate=learning_rate, steps=steps)
    return Call("/v1/train", options(body, include, encoding), TrainResult)


def derivation(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str,
    include: Sequence[str] | None = None,
    encoding: Encoding | None = None,
) -> Call[DerivationResult]:
    body = request_body(network, inputs, targets=targets, loss=loss)
    return Call("/v1/derivation", options(body, include, encoding), DerivationResult)
