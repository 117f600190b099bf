"""The two UM-Bridge models of the service, as functions of their one input vector (``service/api/routers/umbridge.py``
serves them).

- ``loss``: input 0 is θ, every weight and bias in one vector (W_1 row by row, b_1 if the layer has one, W_2, b_2,
  …: :func:`gradcore.flatten`); output 0 is [L(θ)] for the config's inputs X, targets Y and loss.
- ``network``: input 0 is one example x (n_0 numbers); output 0 is ŷ(x) (n_L numbers), for the config's weights.

For both, with F the model's map: ``Gradient`` is sensᵀ J_F (backpropagation), ``ApplyJacobian`` is J_F · vec
(forward mode), ``ApplyHessian`` is ∇²(sensᵀ F) · vec (forward-over-reverse, :func:`gradcore.hessian_vector`), all
exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gradcore import (
    ACTIVATIONS,
    LOSSES,
    Array,
    Layer,
    NonFiniteError,
    Problem,
    flatten,
    loss_seed,
    output_seed,
    output_vjp,
    parameter_count,
    tangents,
    unchecked_backward,
    unchecked_forward,
    unchecked_hessian_vector,
    unchecked_loss,
    unflatten,
)
from service.domain import limits


def raise_if_non_finite(value: Array | float, what: str) -> None:
    """A :class:`gradcore.NonFiniteError` if ``value`` holds NaN or ±infinity: an overflow of float64."""
    if not np.isfinite(value).all():
        raise NonFiniteError([Problem(("output",), f"{what} overflows float64: the inputs are too large")])


class Model(Protocol):
    """A UM-Bridge model with one input vector and one output vector."""

    @property
    def layers(self) -> Sequence[Layer]: ...

    @property
    def input_size(self) -> int: ...
    @property
    def output_size(self) -> int: ...
    @property
    def batch(self) -> int: ...
    def describe_input(self) -> str: ...
    def evaluate(self, u: Array) -> Array: ...
    def gradient(self, u: Array, sens: Array) -> Array: ...
    def apply_jacobian(self, u: Array, vec: Array) -> Array: ...
    def apply_hessian(self, u: Array, sens: Array, vec: Array) -> Array: ...


def layer_shapes(layers: Sequence[Layer]) -> str:
    """The shapes in θ's order, e.g. ``W_1 3 × 2, b_1 2, W_2 2 × 1``."""
    parts = []
    for k, layer in enumerate(layers, start=1):
        parts.append(f"W_{k} {layer.W.shape[0]} × {layer.W.shape[1]}")
        if layer.b is not None:
            parts.append(f"b_{k} {layer.b.size}")
    return ", ".join(parts)


@dataclass(frozen=True)
class LossModel:
    """L(θ) for fixed inputs X (m × n_0), targets Y (m × n_L) and a loss; ``layers`` give the shapes and activations
    (their weights are not used: θ is the input)."""

    layers: Sequence[Layer]
    X: Array
    Y: Array
    loss: str

    @property
    def input_size(self) -> int:
        return parameter_count(self.layers)

    @property
    def output_size(self) -> int:
        return 1

    @property
    def batch(self) -> int:
        return int(self.X.shape[0])

    def describe_input(self) -> str:
        return f"θ, {self.input_size} numbers ({layer_shapes(self.layers)}, each matrix row by row)"

    def at(self, theta: Array) -> list[Layer]:
        """The network with the weights and biases of θ."""
        V = unflatten(self.layers, theta)
        return [Layer(W=W, activation=layer.activation, b=b) for layer, W, b in zip(self.layers, V.W, V.b, strict=True)]

    def evaluate(self, theta: Array) -> Array:
        layers = self.at(theta)
        return np.array([unchecked_loss(unchecked_forward(layers, self.X), self.Y, self.loss)])

    def gradient(self, theta: Array, sens: Array) -> Array:
        layers = self.at(theta)
        grads = unchecked_backward(layers, unchecked_forward(layers, self.X), self.Y, self.loss)
        return float(sens[0]) * flatten(grads.dW, grads.db)

    def apply_jacobian(self, theta: Array, vec: Array) -> Array:
        """dL/dt along vec, forward mode: ⟨Δ_L, R{Z_L}⟩, since L depends on θ through Z_L only."""
        layers = self.at(theta)
        cache = unchecked_forward(layers, self.X)
        tangent = tangents(layers, cache, unflatten(self.layers, vec), None)
        with np.errstate(over="ignore", invalid="ignore"):
            delta = LOSSES[self.loss].delta(cache.Z[-1], cache.output, self.Y, ACTIVATIONS[layers[-1].activation])
            value = float((delta * tangent.Z[-1]).sum())
        raise_if_non_finite(value, "J · vec")
        return np.array([value])

    def apply_hessian(self, theta: Array, sens: Array, vec: Array) -> Array:
        layers = self.at(theta)
        result = unchecked_hessian_vector(layers, self.X, loss_seed(self.Y, self.loss), unflatten(self.layers, vec))
        return float(sens[0]) * flatten(result.dW, result.db)


@dataclass(frozen=True)
class NetworkModel:
    """ŷ(x) of one example x (1 × n_0) through the config's network, weights included."""

    layers: Sequence[Layer]

    @property
    def input_size(self) -> int:
        return int(self.layers[0].W.shape[0])

    @property
    def output_size(self) -> int:
        return int(self.layers[-1].W.shape[1])

    @property
    def batch(self) -> int:
        return 1

    def describe_input(self) -> str:
        return f"one example x, n_0 = {self.input_size} numbers (W_1 is {layer_shapes(self.layers[:1])[4:]})"

    def evaluate(self, x: Array) -> Array:
        output: Array = unchecked_forward(self.layers, x.reshape(1, -1)).output[0]
        return output

    def gradient(self, x: Array, sens: Array) -> Array:
        cache = unchecked_forward(self.layers, x.reshape(1, -1))
        _, dX = output_vjp(self.layers, cache, sens.reshape(1, -1))
        result: Array = dX[0]
        return result

    def apply_jacobian(self, x: Array, vec: Array) -> Array:
        cache = unchecked_forward(self.layers, x.reshape(1, -1))
        output = tangents(self.layers, cache, None, vec.reshape(1, -1)).output
        raise_if_non_finite(output, "J · vec")
        result: Array = output[0]
        return result

    def apply_hessian(self, x: Array, sens: Array, vec: Array) -> Array:
        X = x.reshape(1, -1)
        result = unchecked_hessian_vector(self.layers, X, output_seed(sens.reshape(1, -1)), None, vec.reshape(1, -1))
        dX: Array = result.dX[0]
        return dX


COSTS = {"Evaluate": "loss", "Gradient": "gradients", "ApplyJacobian": "gradients", "ApplyHessian": "hessian_vector"}
"""The endpoint of :func:`~service.domain.limits.cost` whose cost each UM-Bridge method has: a Jacobian–vector
product (the forward pass and its tangent) about a gradient's, a Hessian–vector product two gradients'."""


def cost(method: str, model: Model) -> limits.Cost:
    """The cost of ``method`` on ``model`` for the compute seam."""
    return limits.cost(COSTS[method], model.layers, model.batch)
