"""Loss functions L(ŷ, y) and their gradients with respect to Z_L.

Every loss sees the last layer's pre-activation Z_L, its activation
ŷ = A_L = f_L(Z_L) and the targets Y, all m × n_L, and returns the scalar
loss and Δ_L = ∂L/∂Z_L (m × n_L), the start of backpropagation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradcore.core.activations import Activation, row_max
from gradcore.core.errors import GradcoreError, Problem
from gradcore.core.types import Array


@dataclass(frozen=True)
class Loss:
    """A loss function with its exact gradient.

    Attributes
    ----------
    name : str
        The name used in requests.
    value : callable
        ``value(Z, A, Y) -> float``, the loss L.
    delta : callable
        ``delta(Z, A, Y, f) -> Δ_L``, ∂L/∂Z_L given the last activation f.
    requires : str or None
        The only last-layer activation the loss is defined for, if any.
    """

    name: str
    value: Callable[[Array, Array, Array], float]
    delta: Callable[[Array, Array, Array, Activation], Array]
    requires: str | None = None


def _half_squared_error(Z: Array, A: Array, Y: Array) -> float:
    """L = Σ ½ (y − ŷ)², summed over examples and outputs (the seed's loss)."""
    return 0.5 * float(np.square(Y - A).sum())


def _half_squared_error_delta(Z: Array, A: Array, Y: Array, f: Activation) -> Array:
    """Δ_L = (ŷ − y) * f′(Z_L); for the sigmoid (ŷ − y) * ŷ * (1 − ŷ)."""
    return f.backward_in_place(A - Y, Z, A)


def _mean_squared_error(Z: Array, A: Array, Y: Array) -> float:
    """L = (1 / (m·n_L)) Σ (y − ŷ)², the mean over all m·n_L elements."""
    return float(np.square(Y - A).sum()) / A.size


def _mean_squared_error_delta(Z: Array, A: Array, Y: Array, f: Activation) -> Array:
    """Δ_L = 2 (ŷ − y) / (m·n_L) * f′(Z_L)."""
    return f.backward_in_place((2.0 / A.size) * (A - Y), Z, A)


def _binary_cross_entropy(Z: Array, A: Array, Y: Array) -> float:
    """L = −mean[y log ŷ + (1 − y) log(1 − ŷ)] with ŷ = σ(Z_L).

    Computed from Z_L as mean[softplus(Z_L) − y Z_L], which equals the
    definition and stays finite where ŷ rounds to 0 or 1.
    """
    return float((np.logaddexp(0.0, Z) - Y * Z).sum()) / Z.size


def _binary_cross_entropy_delta(Z: Array, A: Array, Y: Array, f: Activation) -> Array:
    """Δ_L = (ŷ − y) / (m·n_L): the σ′ factor cancels against ∂L/∂ŷ."""
    return (A - Y) / A.size


def log_softmax(Z: Array) -> Array:
    """Row-wise log softmax, log ŷ = Z − max_c Z − log Σ_c e^(Z − max_c Z): finite for every finite Z.

    Rows along the last axis: Z is m × n_L, or B × m × n_L for a batch of networks' outputs.
    """
    shifted: Array = Z - row_max(Z)
    log_total: Array = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted - log_total


def _cross_entropy(Z: Array, A: Array, Y: Array) -> float:
    """L = −(1/m) Σ_i Σ_c y_ic log ŷ_ic with ŷ = softmax(Z_L), the mean over the m examples.

    log ŷ is computed from Z_L by :func:`log_softmax`, so that L stays finite
    where some ŷ_ic rounds to 0.
    """
    return -float((Y * log_softmax(Z)).sum()) / len(Z)


def _cross_entropy_delta(Z: Array, A: Array, Y: Array, f: Activation) -> Array:
    """Δ_L = (ŷ − y) / m: with rows of Y summing to 1, the softmax Jacobian cancels against ∂L/∂ŷ."""
    return (A - Y) / len(A)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("half_squared_error", _half_squared_error, _half_squared_error_delta),
        Loss("mean_squared_error", _mean_squared_error, _mean_squared_error_delta),
        Loss(
            "binary_cross_entropy",
            _binary_cross_entropy,
            _binary_cross_entropy_delta,
            requires="sigmoid",
        ),
        Loss("cross_entropy", _cross_entropy, _cross_entropy_delta, requires="softmax"),
    )
}
"""Every loss, by name. ``half_squared_error`` is the default of the seed notes."""


NEEDS_OUTPUT = frozenset({"half_squared_error", "mean_squared_error"})
"""The losses whose value reads ŷ; the others read only Z_L (:func:`batch_values` takes ``A=None`` for them)."""


def batch_values(name: str, Z: Array, A: Array | None, Y: Array) -> Array:
    """The loss ``name`` of B networks' outputs at once: ``LOSSES[name].value`` of each, by the same formula.

    Parameters
    ----------
    name : str
        A key of :data:`LOSSES`.
    Z, A : ndarray, shape (B, m, n_L)
        Z_L and ŷ = A_L of each of the B networks on the same m examples; A may be ``None`` for the losses
        not in :data:`NEEDS_OUTPUT`.
    Y : ndarray, shape (m, n_L)
        The targets, shared.

    Returns
    -------
    ndarray, shape (B,)
        L of each network. Each sum runs over the same m·n_L terms as ``value``'s, in an order numpy may
        choose differently: the results agree to the rounding of a sum of m·n_L terms.

    Raises
    ------
    GradcoreError
        If A is ``None`` for a loss that reads ŷ.
    """
    m, n_L = Y.shape
    if name in NEEDS_OUTPUT:
        if A is None:
            raise GradcoreError([Problem(("loss",), f"the loss {name} reads ŷ: A is needed")])
        squares: Array = np.square(Y - A).sum(axis=(1, 2))
        return 0.5 * squares if name == "half_squared_error" else squares / (m * n_L)
    if name == "binary_cross_entropy":
        result: Array = (np.logaddexp(0.0, Z) - Y * Z).sum(axis=(1, 2)) / (m * n_L)
        return result
    result = -(Y * log_softmax(Z)).sum(axis=(1, 2)) / m
    return result
