"""Every request of the service, described once: its path, its body and how its answer is read.

Each public function here is one method of both clients, with the same parameters and documentation:
:class:`~gradclient.GradientClient` sends the :class:`Call` it returns and
:class:`~gradclient.AsyncGradientClient` awaits it (:func:`as_method` makes the function a method).

``include`` and ``encoding`` are the service's response options on every endpoint: ``include`` names the
fields to send (the others come back as ``None``), ``encoding="base64"`` sends arrays as compact tensors,
which the results read like lists.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Literal, NamedTuple, TypeVar

import httpx
from numpy.typing import ArrayLike

from gradclient.bodies import Network, decode, decode_text, request_body
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

R = TypeVar("R")
"""What a call's answer is read as."""
ResultT = TypeVar("ResultT", bound=Result)
F = TypeVar("F", bound=Callable[..., Any])
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
    """A POST: the path, the JSON body (bytes are sent as they are), how the answer is read and the ``Accept``
    asked for (``None``: JSON)."""

    path: str
    body: Mapping[str, Any] | bytes
    read: Callable[[httpx.Response], R]
    accept: str | None = None

    @property
    def headers(self) -> dict[str, str] | None:
        """The headers of this request beyond the client's own (JSON, the API key)."""
        return None if self.accept is None else {"Accept": self.accept}


def json_call(path: str, body: Mapping[str, Any], result: type[ResultT]) -> Call[ResultT]:
    """A call whose answer, a JSON object, is read as ``result``."""
    return Call(path, body, lambda response: result.from_json(decode(response)))


def text_call(path: str, body: Mapping[str, Any] | bytes, accept: str = MARKDOWN) -> Call[str]:
    """A call whose answer is text of the media type ``accept``."""
    return Call(path, body, decode_text, accept)


def as_method(method: F, operation: Callable[..., Call[Any]], owner: str) -> F:
    """Make ``method`` show as the method ``owner.<operation's name>`` of the request ``operation``.

    ``method`` gets the name, the documentation and the signature of ``operation`` with ``self`` first,
    returning ``R`` where ``operation`` returns ``Call[R]``: what ``help``, ``inspect`` and the documentation
    show of a client's method. ``method`` itself is returned, for both clients to list it in their class.
    """
    signature = inspect.signature(operation)
    hints = typing.get_type_hints(operation)
    (answer,) = typing.get_args(hints["return"])
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signed = signature.replace(parameters=[self, *signature.parameters.values()], return_annotation=answer)
    method.__name__ = operation.__name__
    method.__qualname__ = f"{owner}.{operation.__name__}"
    method.__doc__ = operation.__doc__
    method.__annotations__ = hints | {"return": answer}
    method.__signature__ = signed  # type: ignore[attr-defined]
    return method


def options(body: dict[str, Any], include: Sequence[str] | None, encoding: Encoding | None = None) -> dict[str, Any]:
    """``body`` with the response options that are set."""
    if include is not None:
        body["include"] = list(include)
    if encoding is not None:
        body["encoding"] = encoding
    return body


def post(path: str, body: Mapping[str, Any] | bytes) -> Call[dict[str, Any]]:
    """POST a JSON body (a mapping, or bytes sent as they are) and return the answer's JSON object."""
    return Call(path, body, decode)


def post_text(path: str, body: Mapping[str, Any] | bytes, accept: str = MARKDOWN) -> Call[str]:
    """POST a JSON body and return the answer's text, asked for as ``accept`` (the Markdown derivation)."""
    return text_call(path, body, accept)


def forward(
    network: Network, inputs: ArrayLike, *, include: Include = None, encoding: Encoding | None = None
) -> Call[ForwardResult]:
    """z_k, l_k and ŷ for inputs X (m × n_0)."""
    return json_call("/v1/forward", options(request_body(network, inputs), include, encoding), ForwardResult)


def loss(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str = DEFAULT_LOSS,
    *,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[LossResult]:
    """The loss L and ŷ for inputs X (m × n_0) and targets Y (m × n_L)."""
    body = request_body(network, inputs, targets=targets, loss=loss)
    return json_call("/v1/loss", options(body, include, encoding), LossResult)


def gradients(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str = DEFAULT_LOSS,
    *,
    input_gradient: bool = False,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[GradientsResult]:
    """Loss, ŷ and each layer's z_k, l_k, Δ_k, ∂L/∂W_k (∂L/∂b_k); with ``input_gradient``, ∂L/∂X (m × n_0)."""
    if input_gradient:
        include = [*(GRADIENTS_FIELDS if include is None else include), "input_gradient"]
    body = request_body(network, inputs, targets=targets, loss=loss)
    return json_call("/v1/gradients", options(body, include, encoding), GradientsResult)


def hessian_vector(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    vector: Vector,
    loss: str = DEFAULT_LOSS,
    *,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[HessianVectorResult]:
    """The exact ∇²L · v (``vector``: one V_k per layer, shaped like W_k), the gradient, slope and curvature."""
    body = request_body(network, inputs, targets=targets, loss=loss, vector=vector_json(vector))
    return json_call("/v1/gradients/hessian-vector", options(body, include, encoding), HessianVectorResult)


def check(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str = DEFAULT_LOSS,
    *,
    epsilon: float | None = None,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[CheckResult]:
    """Compare backpropagation with central differences of step ``epsilon`` (the service's default if None)."""
    body = request_body(network, inputs, targets=targets, loss=loss, epsilon=epsilon)
    return json_call("/v1/gradients/check", options(body, include, encoding), CheckResult)


def verify(
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
) -> Call[VerifyResult]:
    """Diagnose claimed gradients ∂L/∂W_k, one matrix per layer (sign, transpose, scale, missing f′ …)."""
    body = request_body(
        network,
        inputs,
        targets=targets,
        loss=loss,
        claimed_gradients=claimed_gradients,
        claimed_bias_gradients=claimed_bias_gradients,
        rtol=rtol,
    )
    return json_call("/v1/gradients/verify", options(body, include, encoding), VerifyResult)


def train(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str = DEFAULT_LOSS,
    *,
    learning_rate: float | None = None,
    steps: int | None = None,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[TrainResult]:
    """Gradient descent W_k ← W_k − η ∂L/∂W_k; ``None`` leaves the service's default η and step count."""
    body = request_body(network, inputs, targets=targets, loss=loss, learning_rate=learning_rate, steps=steps)
    return json_call("/v1/train", options(body, include, encoding), TrainResult)


def derivation(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str = DEFAULT_LOSS,
    *,
    include: Include = None,
    encoding: Encoding | None = None,
) -> Call[DerivationResult]:
    """Every equation of the forward pass, the loss and backpropagation, with shapes and values."""
    body = request_body(network, inputs, targets=targets, loss=loss)
    return json_call("/v1/derivation", options(body, include, encoding), DerivationResult)


def derivation_markdown(network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str = DEFAULT_LOSS) -> Call[str]:
    """The derivation as a Markdown document (``Accept: text/markdown``): headings, equations, LaTeX, values."""
    return text_call("/v1/derivation", request_body(network, inputs, targets=targets, loss=loss))
