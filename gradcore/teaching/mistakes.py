"""The usual mistakes of hand-derived backpropagation, as computations.

Forgetting an activation derivative (:func:`without_derivative`), and the
constant factors that a dropped ½ or a mean-versus-sum confusion put in front
of a gradient (:func:`usual_causes`). :mod:`gradcore.teaching.diagnosis` compares a
claimed gradient with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import combinations

import numpy as np

from gradcore.core.losses import LOSSES
from gradcore.core.network import backward, unchecked_backward
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.teaching.rounding import ATOL, Match, match, rounding_candidates, scale_interval

DERIVATIVES = {
    "sigmoid": "σ′(z_{j}) = l_{j} * (1 − l_{j})",
    "tanh": "tanh′(z_{j}) = 1 − l_{j}²",
    "relu": "relu′(z_{j}) = [z_{j} > 0]",
    "softmax": "the softmax Jacobian of z_{j}",
}


def without_derivative(layers: Sequence[Layer], cache: Cache, Y: Array, name: str, j: int) -> Gradients | None:
    """The gradients recomputed with f′ ≡ 1 at layer j (from 0): the mistake of forgetting that factor.

    Returns None when that changes nothing: a linear layer, or the output layer of a loss
    (binary_cross_entropy, cross_entropy) whose Δ_L = (ŷ − y)/… has no f′_L factor to forget.
    """
    if layers[j].activation == "linear" or (j == len(layers) - 1 and LOSSES[name].requires is not None):
        return None
    forgetful = [*layers[:j], replace(layers[j], activation="linear"), *layers[j + 1 :]]
    return backward(forgetful, cache, Y, name)


MAX_SUBSET_LAYERS = 4
"""With more layers whose f′ can be forgotten, only each one alone and all of them together are tried."""


def forgettable(layers: Sequence[Layer], name: str) -> list[int]:
    """The layers j (from 1) whose f′_j a derivation can leave out (:func:`without_derivative` is not None)."""
    L = len(layers)
    return [
        j + 1
        for j in range(L)
        if layers[j].activation != "linear" and not (j == L - 1 and LOSSES[name].requires is not None)
    ]


def forgetful_sets(layers: Sequence[Layer], name: str) -> list[tuple[int, ...]]:
    """The sets of layers (from 1) whose f′ a derivation may leave out: each alone, the output layer first, then
    every pair, triple, … (each set's layers from the output down); beyond :data:`MAX_SUBSET_LAYERS` such
    layers, each alone and all together."""
    J = sorted(forgettable(layers, name), reverse=True)
    if len(J) > MAX_SUBSET_LAYERS:
        return [(j,) for j in J] + [tuple(J)]
    return [subset for size in range(1, len(J) + 1) for subset in combinations(J, size)]


def without_derivatives(
    layers: Sequence[Layer], cache: Cache, Y: Array, name: str, forgotten_layers: Sequence[int]
) -> Gradients:
    """The gradients recomputed with f′_j ≡ 1 at every layer j (from 1) of ``forgotten_layers``; forward as it is."""
    forgetful = [
        replace(layer, activation="linear") if k + 1 in forgotten_layers else layer for k, layer in enumerate(layers)
    ]
    return unchecked_backward(forgetful, cache, Y, name)  # the shapes are those of the network, checked once


def forgotten_all(layers: Sequence[Layer], forgotten_layers: Sequence[int]) -> str:
    """Describe forgetting f′_j at each layer of ``forgotten_layers`` (from 1) in the seed's notation."""
    return " and ".join(forgotten(layers, j) for j in forgotten_layers)


CONSTANTS: dict[str, list[tuple[float, str]]] = {
    "half_squared_error": [
        (2.0, "the ½ of L = Σ ½ (y − ŷ)² dropped (its derivative is ŷ − y, not 2 (ŷ − y))"),
        (0.5, "a ½ too many"),
    ],
    "mean_squared_error": [
        (0.5, "the 2 of the derivative of (y − ŷ)², 2 (ŷ − y), dropped"),
        (2.0, "a factor 2 too many"),
    ],
}
"""The constant factors of each loss that a derivation by hand tends to drop or double."""

SUMS = {"half_squared_error"}
"""The losses that sum over the examples and outputs; the others take a mean (over m·n_L, or m for cross_entropy)."""


def _counts(m: int, n_L: int, name: str) -> list[tuple[int, str]]:
    counts = [(m, f"the m = {m} examples")]
    if name != "cross_entropy":
        counts += [(n_L, f"the n_L = {n_L} outputs"), (m * n_L, f"the m·n_L = {m * n_L} entries of ŷ")]
    unique: dict[int, str] = {}
    for N, label in counts:
        if N > 1:
            unique.setdefault(N, label)
    return list(unique.items())


@lru_cache(maxsize=256)
def candidates(m: int, n_L: int, name: str) -> tuple[tuple[float, str], ...]:
    """The usual factors c of a gradient off by a constant, for the loss ``name``, each with its cause.

    A loss constant dropped or doubled (2 or ½ for the squared errors), a mean over N where the loss
    sums (1/N, for half_squared_error) or a sum over N where it takes a mean (N, for the other losses),
    with N = m, n_L or m·n_L, and their products; single causes first.
    """
    constants = [(1.0, ""), *CONSTANTS.get(name, [])]
    scales = [(1.0, "")]
    for N, label in _counts(m, n_L, name):
        if name in SUMS:
            scales.append((1.0 / N, f"a mean over {label} where L sums over them (1/{N})"))
        else:
            scales.append((float(N), f"a sum over {label} where L takes their mean ({N})"))
    found = [
        (c * s, " and ".join(text for text in (c_text, s_text) if text))
        for c, c_text in constants
        for s, s_text in scales
        if (c, s) != (1.0, 1.0)
    ]
    return tuple(sorted(found, key=lambda item: item[1].count(" and ")))


def usual_causes(alpha: float, m: int, n_L: int, name: str, rtol: float) -> str:
    """Name the usual causes (:func:`candidates`) of a gradient off by the factor α, for the loss ``name``.

    α matches a candidate c when |α| is within 10·rtol of c, relatively; a negative α also has its sign flipped.
    """
    found = [text for c, text in candidates(m, n_L, name) if abs(abs(alpha) - c) <= 10 * rtol * c]
    sign = "the sign flipped and " if alpha < 0 else ""
    if not found:
        return f"{sign}a factor that none of the usual causes (a dropped ½ or 2, a mean instead of a sum) explains"
    return sign + ", or ".join(found)


def scale_factor(
    C: Array, T: Array, rtol: float, d: int | None, m: int, n_L: int, name: str, usual: bool = True
) -> tuple[float, Match] | None:
    """α with C ≈ α·T (:func:`gradcore.teaching.rounding.match`) and the match; None when there is none (or C ≈ 0).

    A usual factor (:func:`candidates`, either sign) is tried first (unless ``usual`` is false) and returned
    exactly. Otherwise α is
    the least-squares ⟨C, T⟩ / ⟨T, T⟩; for a claim rounded to d digits, brought inside the factors
    that round to C and written with the fewest digits there (3.7, not 3.6998…).
    """
    TT = float(np.sum(T * T))
    if TT == 0.0 or np.max(np.abs(C)) <= ATOL:
        return None
    for c, _ in candidates(m, n_L, name) if usual else []:
        for alpha in (c, -c):
            found = match(C, alpha * T, rtol, d)
            if found is not None:
                return alpha, found
    alpha = float(np.sum(C * T)) / TT
    if not np.isfinite(alpha):
        return None
    for digits_ in rounding_candidates(d):
        interval = scale_interval(C, T, digits_)
        if interval is not None:
            alpha = _shortest(min(max(alpha, interval[0]), interval[1]), interval)
            break
    found = match(C, alpha * T, rtol, d)
    return (alpha, found) if found is not None else None


def _shortest(alpha: float, interval: tuple[float, float]) -> float:
    """The number with the fewest significant digits in ``interval`` near α (3.7, not 3.6998…)."""
    for p in range(1, 16):
        rounded = float(f"{alpha:.{p - 1}e}")
        if interval[0] <= rounded <= interval[1]:
            return rounded
    return alpha


def forgotten(layers: Sequence[Layer], j: int) -> str:
    """Describe forgetting f′_j (j from 1) in the seed's notation."""
    L = len(layers)
    factor = DERIVATIVES[layers[j - 1].activation].format(j=j)
    if j == L:
        return f"Δ_{L} = ∂L/∂ŷ * f′_{L}(z_{L}) computed without its factor {factor}"
    return f"Δ_{j} = (Δ_{j + 1} · W_{j + 1}ᵀ) * f′_{j}(z_{j}) computed without its factor {factor}"
