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

    The numerator is max(sign(Z), e^(−|Z|)): 1 for Z ≥ 0 (e^(−|Z|) ≤ 1, and
    = 1 at Z = 0), e^(−|Z|) for Z < 0 (sign −1), NaN for NaN. It selects the
    same numbers as a mask would, without the mask's slow branching on
    mixed signs. One exponential; two buffers of Z's shape, updated in place.
    """
    Z = _floating(Z)
    E = _exp_minus_abs(Z)
    A: Array = np.sign(Z)
    np.maximum(A, E, out=A)
    E += 1.0
    A /= E
    return A


def _floating(Z: Array) -> Array:
    """Z itself, or Z in float64 if it holds integers (as ``np.exp(Z)`` would compute), for in-place float work."""
    return Z if Z.dtype.kind == "f" else Z.astype(np.float64)


def _exp_minus_abs(Z: Array) -> Array:
    """e^(−|Z|), in [0, 1] for every Z but NaN: a new array (Z is floating), its one buffer updated in place."""
    E: Array = np.abs(Z)
    np.negative(E, out=E)
    np.exp(E, out=E)
    return E


def _sigmoid_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * σ′(Z) with σ′(Z) = σ(Z)(1 − σ(Z)) = σ(Z) σ(−Z) = e / (1 + e)², e = e^(−|Z|).

    1 − σ(Z) is never formed: subtracting from 1 would lose all relative
    precision where σ(Z) rounds towards 1 (Z ≳ 30). σ(Z) σ(−Z) is even in Z
    and equals e / (1 + e)² for either sign: one exponential, which cannot
    overflow, and full relative precision (a few ulps) wherever σ′(Z) is a
    normal float (|Z| ≲ 708), where σ saturates too; beyond, σ′(Z) underflows
    gradually through the subnormals, to 0 for |Z| ≳ 745.
    """
    dZ = _exp_minus_abs(_floating(Z))
    square = dZ + 1.0
    square *= square
    dZ /= square
    dZ *= dA
    return dZ


def _tanh_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * tanh′(Z) with tanh′(Z) = 1 − tanh²(Z) = 1 / cosh²(Z).

    1 / cosh²(Z) keeps full relative precision where tanh(Z) rounds towards
    ±1; cosh overflows to +inf for |Z| > 710, where the derivative is 0.
    """
    with np.errstate(over="ignore"):
        dZ = np.cosh(Z)
        np.square(dZ, out=dZ)
        np.divide(dA, dZ, out=dZ)
    return dZ


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
    A: Array = np.exp(Z - Z.max(axis=1, keepdims=True))
    A /= A.sum(axis=1, keepdims=True)
    return A


def _softmax_backward(dA: Array, Z: Array, A: Array) -> Array:
    """The exact vector-Jacobian product of the row-wise softmax.

    Row by row, ∂A_j/∂Z_c = A_j (δ_jc − A_c), so
    ∂L/∂Z = A * (dA − Σ_c (dA * A)[:, c]), the row sums broadcast over the columns.
    Softmax is not element-wise: there is no f′(Z) to multiply by.
    """
    dZ = dA * A
    projection: Array = dZ.sum(axis=1, keepdims=True)
    np.subtract(dA, projection, out=dZ)
    dZ *= A
    return dZ


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
