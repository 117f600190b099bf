"""Activation functions f and their vector-Jacobian products.

Each activation maps the pre-activation Z (m × n) to A = f(Z) (m × n) and,
going backward, maps ∂L/∂A to ∂L/∂Z. For the element-wise functions this is
∂L/∂Z = ∂L/∂A * f′(Z), with f′ written in terms of Z and A; for the row-wise
softmax it is the product with its Jacobian, row by row.
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

    Computed as 1 / (1 + e^(−|Z|)) for Z ≥ 0 and e^(−|Z|) / (1 + e^(−|Z|))
    for Z < 0, so that nothing overflows and tiny values keep full relative
    precision, down to the subnormal range.
    """
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0.0, 1.0, E) / (1.0 + E)


def _sigmoid_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * σ′(Z) with σ′(Z) = σ(Z)(1 − σ(Z)) = σ(Z) σ(−Z).

    1 − σ(Z) is taken as σ(−Z): subtracting from 1 would lose all relative
    precision where σ(Z) rounds towards 1 (Z ≳ 30).
    """
    return dA * A * sigmoid(-Z)


def _tanh_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * tanh′(Z) with tanh′(Z) = 1 − tanh²(Z) = 1 / cosh²(Z).

    1 / cosh²(Z) keeps full relative precision where tanh(Z) rounds towards
    ±1; cosh overflows to +inf for |Z| > 710, where the derivative is 0.
    """
    with np.errstate(over="ignore"):
        return dA / np.square(np.cosh(Z))


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


def softmax(Z: Array) -> Array:
    """Row-wise softmax: A[i, j] = e^(Z[i, j]) / Σ_c e^(Z[i, c]), each row of A sums to 1.

    Computed as e^(Z − max_c Z[i, c]) / Σ_c e^(Z[i, c] − max_c Z[i, c]): the same
    number, but every exponent is ≤ 0, so nothing overflows.
    """
    E: Array = np.exp(Z - Z.max(axis=1, keepdims=True))
    total: Array = E.sum(axis=1, keepdims=True)
    return E / total


def _softmax_backward(dA: Array, Z: Array, A: Array) -> Array:
    """The exact vector-Jacobian product of the row-wise softmax.

    Row by row, ∂A_j/∂Z_c = A_j (δ_jc − A_c), so
    ∂L/∂Z = A * (dA − Σ_c (dA * A)[:, c]), the row sums broadcast over the columns.
    Softmax is not element-wise: there is no f′(Z) to multiply by.
    """
    projection: Array = np.sum(dA * A, axis=1, keepdims=True)
    return A * (dA - projection)


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", sigmoid, _sigmoid_backward),
        Activation("tanh", np.tanh, _tanh_backward),
        Activation("relu", relu, _relu_backward),
        Activation("linear", linear, _linear_backward),
        Activation("softmax", softmax, _softmax_backward),
    )
}
"""Every activation, by name. ``sigmoid`` is the default of the seed notes; ``softmax`` is row-wise and allowed
only in the last layer (see :mod:`gradcore.checks`)."""
