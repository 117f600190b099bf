"""The rules a problem for hand work must meet, so that every usual mistake shows in the answer.

A problem is a network (W_k, b_k, f_k), inputs X (m × n_0), targets Y (m × n_L) and a loss.
:func:`rule_violations` lists the rules it breaks (empty: a good problem):

1. **No saturated or silent unit**, layer by layer on z_k (m × n_k): every |z| ≥ :data:`MIN_PRE_ACTIVATION`
   (a z_k of 0, and its l_k of 0 with tanh or linear, would hide a sign slip in the forward pass);
   sigmoid σ′(z) ≥ :data:`MIN_SIGMOID_SLOPE` (|z| ≤ 2.89); tanh tanh′(z) ≥ :data:`MIN_TANH_SLOPE`
   (|z| ≤ 1.44); relu |z| ≥ :data:`RELU_MARGIN` (no pre-activation on the kink); softmax every ŷ in
   [:data:`MIN_PROBABILITY`, 1 − MIN_PROBABILITY].
2. **No zero and no tie** in Δ_k (m × n_k), ∂L/∂W_k (n_{k−1} × n_k) and ∂L/∂b_k (n_k): every entry has
   |v| ≥ :data:`MIN_SHARE` · max |M| and |v| ≥ :data:`MIN_ABS`, and every two entries a, b of one matrix
   differ: |a − b| ≥ :data:`TIE` · max(|a|, |b|). The zeros of a relu layer are exempt: Δ_k is 0 where
   z_k < 0 (relu′ = 0), and so is a column of ∂L/∂W_k and an entry of ∂L/∂b_k whose z_k is negative in
   every example; those zeros are the point of relu.
3. **Every mistake shows**: for each layer k, with M either Δ_k or ∂L/∂W_k, the true M and its mistaken
   variants differ pairwise by more than :data:`DISTINCT` · max |M| (max norm): −M (a sign slip); Mᵀ when M
   is square and not 1 × 1 (a transposed product: such an M must not be symmetric); M recomputed with f′_j ≡ 1 for each
   layer j ≥ k that has a derivative to forget (:func:`gradcore.teaching.mistakes.without_derivative`); and
   c·M for each usual factor c ≠ 1 of the loss (:func:`gradcore.teaching.mistakes.candidates`: a dropped ½
   or 2, a mean over m instead of a sum …).

The tolerances are ten times the default relative tolerance of the diagnosis (10⁻³) or more, so that an
answer written to 3 significant digits is still told apart from every mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from gradcore.core.network import unchecked_backward, unchecked_forward
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.teaching.mistakes import candidates, without_derivative

MIN_SIGMOID_SLOPE = 0.05
"""Least σ′(z) = σ(z)(1 − σ(z)) of a sigmoid unit (its largest is 0.25 at z = 0)."""
MIN_TANH_SLOPE = 0.2
"""Least tanh′(z) = 1 − tanh²(z) of a tanh unit (its largest is 1 at z = 0): the sigmoid's share, 1/5."""
MIN_PRE_ACTIVATION = 0.05
"""Least |z| of every unit."""
RELU_MARGIN = 0.1
"""Least |z| of a relu unit: no pre-activation at or near the kink."""
MIN_PROBABILITY = 0.02
"""Least softmax output ŷ, and 1 − the largest."""
MIN_SHARE = 0.01
"""Least |entry| of a Δ_k, ∂L/∂W_k or ∂L/∂b_k, as a share of the largest |entry| of the same matrix."""
MIN_ABS = 1e-4
"""Least |entry| of a Δ_k, ∂L/∂W_k or ∂L/∂b_k: a hand computation to 3–4 significant digits sees it."""
TIE = 0.01
"""Least relative difference |a − b| / max(|a|, |b|) of two entries of one matrix."""
DISTINCT = 0.02
"""Least max |V − M| / max |M| between two of a matrix's mistaken variants V (and M itself)."""


class Violation(NamedTuple):
    """A rule a problem breaks: ``rule`` (``saturated``, ``zero``, ``tie`` or ``indistinct``) and a sentence."""

    rule: str
    message: str


def saturation_violations(layers: Sequence[Layer], cache: Cache) -> list[Violation]:
    """Rule 1: the units whose pre-activation z_k is near 0, saturated or on relu's kink, layer by layer."""
    found = []
    for k, (layer, Z, A) in enumerate(zip(layers, cache.Z, cache.A, strict=True), start=1):
        name = layer.activation
        if np.min(np.abs(Z)) < MIN_PRE_ACTIVATION:
            found.append(Violation("zero", f"some |z_{k}| < {MIN_PRE_ACTIVATION}"))
        elif name == "sigmoid" and np.min(A * (1.0 - A)) < MIN_SIGMOID_SLOPE:
            found.append(Violation("saturated", f"σ′(z_{k}) < {MIN_SIGMOID_SLOPE} somewhere"))
        elif name == "tanh" and np.min(1.0 - A * A) < MIN_TANH_SLOPE:
            found.append(Violation("saturated", f"tanh′(z_{k}) < {MIN_TANH_SLOPE} somewhere"))
        elif name == "relu" and np.min(np.abs(Z)) < RELU_MARGIN:
            found.append(Violation("saturated", f"some |z_{k}| < {RELU_MARGIN}, on relu's kink"))
        elif name == "softmax" and (np.min(A) < MIN_PROBABILITY or np.max(A) > 1.0 - MIN_PROBABILITY):
            found.append(Violation("saturated", f"some softmax output l_{k} is within {MIN_PROBABILITY} of 0 or 1"))
    return found


def _entry_violations(M: Array, live: np.ndarray, what: str) -> list[Violation]:
    """Rule 2 on one matrix: ``live`` marks the entries that must be nonzero (the others must be 0)."""
    values = M[live]
    if values.size == 0:
        return [Violation("zero", f"{what} is 0 everywhere")]
    largest = float(np.max(np.abs(values)))
    if np.min(np.abs(values)) < max(MIN_SHARE * largest, MIN_ABS):
        return [Violation("zero", f"{what} has an entry too close to 0")]
    a, b = values[:, None], values[None, :]
    gaps = np.abs(a - b) < TIE * np.maximum(np.abs(a), np.abs(b))
    np.fill_diagonal(gaps, False)
    if gaps.any():
        return [Violation("tie", f"{what} has two entries within {TIE:.0%} of each other")]
    return []


def _live(layer: Layer, Z: Array) -> np.ndarray:
    """The entries of Δ_k that may not be 0: all, but where z_k < 0 in a relu layer."""
    live: np.ndarray = Z > 0 if layer.activation == "relu" else np.ones(Z.shape, dtype=bool)
    return live


def entry_violations(layers: Sequence[Layer], cache: Cache, grads: Gradients) -> list[Violation]:
    """Rule 2: zeros and ties in every Δ_k, ∂L/∂W_k and ∂L/∂b_k."""
    found = []
    for k, layer in enumerate(layers, start=1):
        live = _live(layer, cache.Z[k - 1])
        columns: np.ndarray = np.asarray(live.any(axis=0))
        found += _entry_violations(grads.delta[k - 1], live, f"Δ_{k}")
        found += _entry_violations(grads.dW[k - 1], np.broadcast_to(columns, grads.dW[k - 1].shape), f"∂L/∂W_{k}")
        db = grads.db[k - 1]
        if db is not None:
            found += _entry_violations(db, columns, f"∂L/∂b_{k}")
    return found


def _variants(M: Array, forgetful: list[Array], factors: list[float]) -> list[tuple[str, Array]]:
    named = [("the true value", M), ("the sign slip", -M)]
    if M.shape[0] == M.shape[1] > 1:
        named.append(("the transpose", M.T))
    named += [(f"a missing f′ ({i})", V) for i, V in enumerate(forgetful)]
    named += [(f"{c:g} × it", c * M) for c in factors]
    return named


def mistake_violations(layers: Sequence[Layer], cache: Cache, Y: Array, loss: str, grads: Gradients) -> list[Violation]:
    """Rule 3: for each layer k, Δ_k, ∂L/∂W_k and their mistaken variants differ pairwise."""
    L, m, n_L = len(layers), cache.X.shape[0], layers[-1].W.shape[1]
    factors = sorted({c for c, _ in candidates(m, n_L, loss) if c != 1.0})
    without = [without_derivative(layers, cache, Y, loss, j) for j in range(L)]
    for k in range(L):
        for what, field in (("Δ", "delta"), ("∂L/∂W", "dW")):
            M: Array = getattr(grads, field)[k]
            forgetful = [getattr(g, field)[k] for g in without[k:] if g is not None]
            names, variants = zip(*_variants(M, forgetful, factors), strict=True)
            stack = np.stack(variants)
            gaps = np.abs(stack[:, None] - stack[None, :]).max(axis=(2, 3))
            np.fill_diagonal(gaps, np.inf)
            close = np.argwhere(gaps <= DISTINCT * float(np.max(np.abs(M))))
            if close.size:
                a, b = close[0]
                message = f"{what}_{k + 1}: {names[a]} and {names[b]} agree within {DISTINCT:.0%}"
                return [Violation("indistinct", message)]
    return []


def rule_violations(layers: Sequence[Layer], X: Array, Y: Array, loss: str) -> list[Violation]:
    """Every rule of this module that the problem breaks, cheapest rules first; empty for a good problem.

    Parameters
    ----------
    layers : sequence of Layer
        The network; its shapes must chain (see :func:`gradcore.shape_problems`).
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets, valid for ``loss``.
    loss : str
        A key of :data:`gradcore.LOSSES`.

    Returns
    -------
    list of Violation
        The first violations found: the saturation rule's, else the entries', else the mistakes'.
    """
    with np.errstate(all="ignore"):
        cache = unchecked_forward(layers, X)
        found = saturation_violations(layers, cache)
        if found:
            return found
        grads = unchecked_backward(layers, cache, Y, loss)
        found = entry_violations(layers, cache, grads)
        if found:
            return found
        return mistake_violations(layers, cache, Y, loss, grads)
