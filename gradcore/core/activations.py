"""Activation functions f and their vector-Jacobian products.

Each activation maps the pre-activation Z (m × n) to A = f(Z) (m × n) and,
going backward, maps ∂L/∂A to ∂L/∂Z. For the element-wise functions this is
∂L/∂Z = ∂L/∂A * f′(Z), with f′ written in terms of Z and A; for the row-wise
softmax it is the product with its Jacobian, row by row.

The element-wise rules write into their result's buffer (for the backward
rules, dA's), block of rows by block of rows (:func:`_by_row_blocks`): their
temporaries stay below :data:`BLOCK` elements and in cache, and a large pass
allocates little beyond the arrays it returns, since fresh memory costs a
page fault per page (``bench/`` measures the difference).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradcore.core.types import Array

BLOCK = 16384
"""Elements per block of rows in the element-wise rules: temporaries of 128 KiB at most."""


@dataclass(frozen=True)
class Activation:
    """An activation function f with its backward rule.

    Attributes
    ----------
    name : str
        The name used in network specifications.
    forward : callable
        ``forward(Z) -> A``, A = f(Z), a new array of Z's shape (m × n).
    backward_in_place : callable
        ``backward_in_place(dA, Z, A) -> dZ``: given dA = ∂L/∂A, returns
        ∂L/∂Z, computed in dA's buffer where the rule allows (dA itself is
        then returned, overwritten): for callers whose dA is a temporary of
        their own, such as :mod:`gradcore.core.network` and :mod:`gradcore.core.losses`.
    """

    name: str
    forward: Callable[[Array], Array]
    backward_in_place: Callable[[Array, Array, Array], Array]

    def backward(self, dA: Array, Z: Array, A: Array) -> Array:
        """``backward(dA, Z, A) -> dZ``: given dA = ∂L/∂A, returns ∂L/∂Z and leaves dA as it is.

        :attr:`backward_in_place` on a floating copy of dA.
        """
        return self.backward_in_place(np.array(dA, dtype=np.result_type(dA, 1.0)), Z, A)


def _by_row_blocks(rule: Callable[..., None], out: Array, *arrays: Array) -> None:
    """Apply ``rule(out[rows], *(a[rows] for a in arrays))`` to successive blocks of about :data:`BLOCK` elements.

    ``out`` and the arrays have the same shape; ``rule`` updates its block of
    ``out`` in place. Arrays of at most :data:`BLOCK` elements make one block.
    """
    if out.size <= BLOCK:
        rule(out, *arrays)
        return
    step = max(1, BLOCK * len(out) // out.size)
    for start in range(0, len(out), step):
        rule(out[start : start + step], *(a[start : start + step] for a in arrays))


def _floating(Z: Array) -> Array:
    """Z itself, or Z in float64 if it holds integers (as ``np.exp(Z)`` would compute), for in-place float work."""
    return Z if Z.dtype.kind == "f" else Z.astype(np.float64)


def sigmoid_reference(Z: Array) -> Array:
    """σ(Z) as the formula reads: 1 / (1 + e^(−Z)) for Z ≥ 0, e^Z / (1 + e^Z) for Z < 0.

    The plain, slower form that :func:`sigmoid` computes faster; a test holds the two equal to the
    last bit. Each branch takes e^(−|Z|), which never overflows.
    """
    E = np.exp(-np.abs(Z))
    A: Array = np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
    return A


def sigmoid_derivative_reference(Z: Array) -> Array:
    """σ′(Z) = σ(Z) (1 − σ(Z)), written σ(Z) σ(−Z) to keep its precision where σ(Z) rounds to 1.

    The plain form of what :func:`_sigmoid_backward` multiplies by; a test holds the two equal.
    """
    return sigmoid_reference(Z) * sigmoid_reference(-Z)


def sigmoid(Z: Array) -> Array:
    """Logistic sigmoid σ(Z) = 1 / (1 + e^(−Z)), element-wise (:func:`sigmoid_reference`, faster).

    Computed as 1 / (1 + e^(−|Z|)) for Z ≥ 0 and e^(−|Z|) / (1 + e^(−|Z|))
    for Z < 0, so that nothing overflows and tiny values keep full relative
    precision, down to the subnormal range.

    The numerator is max(sign(Z), e^(−|Z|)): 1 for Z ≥ 0 (e^(−|Z|) ≤ 1, and
    = 1 at Z = 0), e^(−|Z|) for Z < 0 (sign −1), NaN for NaN. It selects the
    same numbers as a mask would, without the mask's slow branching on
    mixed signs. One exponential, computed block by block into the result.
    """
    Z = _floating(Z)
    A: Array = np.sign(Z)
    _by_row_blocks(_sigmoid_block, A, Z)
    return A


def _sigmoid_block(A: Array, Z: Array) -> None:
    """A ← max(A, e) / (1 + e) with e = e^(−|Z|): σ(Z) when A = sign(Z) on entry.

    Two temporaries, each ufunc writing to an array that is not one of its
    inputs where it can: numpy takes a slower path when a one-element array
    is both an input and the output (``bench/``).
    """
    T = np.abs(Z)
    E = np.negative(T)
    np.exp(E, out=T)
    np.add(T, 1.0, out=E)
    np.maximum(A, T, out=A)
    A /= E


def _sigmoid_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * σ′(Z) with σ′(Z) = σ(Z)(1 − σ(Z)) = σ(Z) σ(−Z), in dA's buffer.

    1 − σ(Z) is taken as σ(−Z): subtracting from 1 would lose all relative
    precision where σ(Z) rounds towards 1 (Z ≳ 30). σ(Z) is A, given;
    σ(−Z) takes one exponential, e = e^(−|Z|), the same as σ(Z)'s, and
    cannot overflow. σ(Z) σ(−Z) = e / (1 + e)² for either sign of Z, with
    full relative precision (a few ulps) wherever σ′(Z) is a normal float
    (|Z| ≲ 708), where σ saturates too; beyond, σ′(Z) underflows gradually
    through the subnormals, to 0 for |Z| ≳ 745.
    """
    _by_row_blocks(_times_sigmoid_derivative, dA, _floating(Z), A)
    return dA


def _times_sigmoid_derivative(dA: Array, Z: Array, A: Array) -> None:
    """dA ← dA * A * σ(−Z), A = σ(Z): dA * σ′(Z), the numbers of ``dA * A * sigmoid(-Z)`` to the last bit."""
    minus_Z = np.negative(Z)
    S = np.sign(minus_Z)
    _sigmoid_block(S, minus_Z)
    np.multiply(dA * A, S, out=dA)


def _tanh_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * tanh′(Z) with tanh′(Z) = 1 − tanh²(Z) = 1 / cosh²(Z), in dA's buffer.

    1 / cosh²(Z) keeps full relative precision where tanh(Z) rounds towards
    ±1; cosh overflows to +inf for |Z| > 710, where the derivative is 0.
    """
    with np.errstate(over="ignore"):
        _by_row_blocks(_over_cosh_squared, dA, Z)
    return dA


def _over_cosh_squared(dA: Array, Z: Array) -> None:
    """dA ← dA / cosh²(Z)."""
    np.divide(dA, np.square(np.cosh(Z)), out=dA)


def relu(Z: Array) -> Array:
    """Rectified linear unit max(Z, 0), element-wise."""
    return np.maximum(Z, 0.0)


def _relu_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = dA * [Z > 0]; the derivative at Z = 0 is taken as 0.

    A new array: ``np.where`` selects 0 where Z ≤ 0 even where dA is ±inf or
    NaN (dA * [Z > 0] would make NaN there), and a masked write into dA is
    no faster.
    """
    return np.where(Z > 0.0, dA, 0.0)


def linear(Z: Array) -> Array:
    """The identity f(Z) = Z."""
    return Z


def _linear_backward(dA: Array, Z: Array, A: Array) -> Array:
    """∂L/∂Z = ∂L/∂A."""
    return dA


SHORT_ROW = 64
"""Rows of at most this many numbers take their maximum through the transposed matrix (:func:`row_max`)."""


def row_max(Z: Array) -> Array:
    """max_c Z[i, c] of every row, shape (m, 1): the numbers of ``Z.max(axis=-1, keepdims=True)``.

    Z is m × n, or any array whose rows run along the last axis. numpy's maximum over the last axis pays some
    tens of nanoseconds per row: for a batch of short rows (n ≤ :data:`SHORT_ROW`, a softmax's n_L outputs) that
    is most of the softmax. Taken over the transposed copy, the maxima are an element-wise maximum of n
    columns, exact all the same (a maximum does not round).
    """
    if Z.ndim == 2 and Z.shape[1] <= SHORT_ROW and Z.flags.c_contiguous:
        maxima: Array = np.ascontiguousarray(Z.T).max(axis=0)
        return maxima[:, np.newaxis]
    result: Array = Z.max(axis=-1, keepdims=True)
    return result


def softmax(Z: Array) -> Array:
    """Row-wise softmax: A[i, j] = e^(Z[i, j]) / Σ_c e^(Z[i, c]), each row of A sums to 1.

    Computed as e^(Z − max_c Z[i, c]) / Σ_c e^(Z[i, c] − max_c Z[i, c]): the same
    number, but every exponent is ≤ 0, so nothing overflows.
    """
    A: Array = np.exp(Z - row_max(Z))
    A /= A.sum(axis=1, keepdims=True)
    return A


def _softmax_backward(dA: Array, Z: Array, A: Array) -> Array:
    """The exact vector-Jacobian product of the row-wise softmax.

    Row by row, ∂A_j/∂Z_c = A_j (δ_jc − A_c), so
    ∂L/∂Z = A * (dA − Σ_c (dA * A)[:, c]), the row sums broadcast over the columns.
    Softmax is not element-wise: there is no f′(Z) to multiply by. In dA's buffer.

    Where one A_c* of a row is close to 1, dA_c* − Σ_c dA_c A_c cancels to a few ulps of noise (the
    formula of autograd engines): computed as D − Σ_c D_c A_c with D = dA − dA_c*, the same number
    since the row of A sums to 1, whose sum has no term in A_c* (D_c* = 0) and cancels nothing.
    """
    dA -= dA[np.arange(len(A)), A.argmax(axis=1)][:, np.newaxis]
    projection: Array = (dA * A).sum(axis=1, keepdims=True)
    dA -= projection
    dA *= A
    return dA


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
only in the last layer (see :mod:`gradcore.core.shapes`)."""
