"""How far a value computed from a learner's written numbers moves with the rounding of those numbers.

A learner writes each value to a few significant digits and computes the next one either from the numbers
written or from the longer numbers on their calculator; both are right. A written entry x stands for any
value within r = half a unit of its last digit (:func:`written_radius`), so a value computed from written
entries is known only to within its *spread*, bounded to first order here:

* a product A · B: |A| · r_B + r_A · |B| + r_A · r_B (:func:`product_spread`), which a sum of terms of
  both signs (cancellation) makes large against the product itself;
* an element-wise step g(x, y, …): Σ over its arguments of max |g(…, x ± r_x, …) − g(x, y, …)|
  (:func:`elementwise_spread`);
* a row-wise softmax s(z): |J| · r_z, J = diag(s) − s sᵀ its Jacobian (:func:`softmax_spread`).

Used by :mod:`gradcore.teaching.ownvalues` for error carried forward (:mod:`gradcore.teaching.grading`): a claim
is right given the learner's own earlier values when it is right against some value within the spread of the
one computed from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradcore.core.types import Array
from gradcore.teaching.rounding import digits, half_unit


def written_radius(value: Array) -> Array:
    """Half a unit of the last significant digit the entries of ``value`` are written to (0 for more than 12).

    Every entry is taken to the digits of the entry that needs the most (:func:`gradcore.teaching.rounding.digits`),
    so that an entry written with fewer digits stands for one whose last digits were zeros.
    """
    d = digits(value)
    return np.zeros(value.shape) if d is None else half_unit(value, d)


def product_spread(A: Array, r_A: Array, B: Array, r_B: Array) -> Array:
    """The spread of A · B for entries of A within r_A and of B within r_B (the shapes of a matrix product)."""
    spread: Array = np.abs(A) @ r_B + r_A @ np.abs(B) + r_A @ r_B
    return spread


def elementwise_spread(step: Callable[..., Array], args: Sequence[Array], radii: Sequence[Array]) -> Array:
    """The spread of an element-wise ``step(*args)`` for each argument within its radius (non-finite moves: 0).

    Each argument is moved by ± its radius in turn, the others kept; the largest move of each entry is summed
    over the arguments.
    """
    value = step(*args)
    spread = np.zeros(np.shape(value))
    for i, radius in enumerate(radii):
        if not np.any(radius):
            continue
        moves = []
        for sign in (1.0, -1.0):
            moved = [*args[:i], args[i] + sign * radius, *args[i + 1 :]]
            moves.append(np.abs(step(*moved) - value))
        largest = np.maximum(*moves)
        spread = spread + np.where(np.isfinite(largest), largest, 0.0)
    return spread


def softmax_spread(S: Array, r_Z: Array) -> Array:
    """|J| · r_Z per row for S = softmax(Z): S_i ((1 − S_i) r_i + Σ_{j≠i} S_j r_j)."""
    spread: Array = S * ((1.0 - S) * r_Z + np.sum(S * r_Z, axis=1, keepdims=True) - S * r_Z)
    return spread
