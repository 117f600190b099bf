"""Activation functions f and their vector-Jacobian products.

Each activation maps the pre-activation Z (m × n) to A = f(Z) (m × n) and,
going backward, maps ∂L/∂A to ∂L/∂Z. For the element-wise functions this is
∂L/∂Z = ∂L/∂A * f′(Z), with f′ written in terms of Z and A.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Activation:
    """An activation function f with its backward rule.

    Attributes
    ----------
    name : str
        The name used in network specifications.
    forward : callable
        ``forward(Z) -> A``, A = f(Z), same shape as Z (m × n).
    backward : callable
        ``backward(dA, Z, A) -> dZ``: given dA = ∂L/∂A, returns ∂L/∂Z.
    """

    name: str
    forward: Callable[[Array], Array]
    backward: Callable[[Array, Array, Array], Array]


def sigmoid(Z: Array) -> Array:
    """Logistic sigmoid σ(Z) = 1 / (1 + e^(−Z)), element-wise.

    Finite for every input: e^(−Z) may overflow to +inf for Z < −709, and
    1 / (1 + inf) is then exactly 0, the correctly rounded limit.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-Z))


def _sigmoid_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = ∂L/∂A * σ(Z)(1 − σ(Z)) = dA * A * (1 − A)."""
    return dA * A * (1.0 - A)


def _tanh_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * (1 − tanh²(Z)) = dA * (1 − A²)."""
    return dA * (1.0 - A * A)


def relu(Z: Array) -> Array:
    """Rectified linear unit max(Z, 0), element-wise."""
    return np.maximum(Z, 0.0)


def _relu_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * [Z > 0]; the derivative at Z = 0 is taken as 0."""
    return np.where(Z > 0.0, dA, 0.0)


def linear(Z: Array) -> Array:
    """The identity f(Z) = Z."""
    return Z


def _linear_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = ∂L/∂A."""
    return dA


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", sigmoid, _sigmoid_backward),
        Activation("tanh", np.tanh, _tanh_backward),
        Activation("relu", relu, _relu_backward),
        Activation("linear", linear, _linear_backward),
    )
}
"""Every activation, by name. ``sigmoid`` is the default of the seed notes."""
