"""Diagnose a claimed gradient: which of the usual hand-derivation mistakes explains it.

A claim C of ∂L/∂W_k (or ∂L/∂b_k) is compared with the true gradient T of
:func:`gradcore.backward`. "C ≈ R" is :func:`gradcore.teaching.rounding.match`: C is R
rounded to the d significant digits C carries (d ≥ 2; each entry within half a
unit of R's d-th digit), or max |C − R| ≤ rtol · max |R| + 10⁻¹² (rtol = 10⁻³
by default). Every verdict therefore holds for a claim written to 2 or more
digits, and says so in ``rounded_to``.

The claim is judged in this order; the first that holds is the answer:

1. ``correct``: C ≈ T.
2. The usual mistakes and their combinations, at most two of them
   (:func:`gradcore.teaching.combined.search`; fewer mistakes first, then in this order):
   ``sign_flipped`` (C ≈ −T: (y − ŷ) where the gradient has (ŷ − y), the descent direction,
   the slip of parts 1, 2 and 4-2 of the 2016 series "Gradients for Neural Nets");
   ``transposed`` (Cᵀ ≈ T, Δ_kᵀ · l_{k−1}; a claim of the shape of W_kᵀ always has it; for a
   square W_k only when T is not symmetric); ``missing_activation_derivative`` (C ≈ the gradient
   recomputed with f′_j ≡ 1 at one layer j ≥ k, the output layer first, then at several; with
   binary_cross_entropy or cross_entropy the output layer's f′ cancels, so only hidden layers are
   tried; before ``scaled``, since with one example and one output a missing f′_L only rescales the
   gradient); ``scaled`` (C ≈ c·T for a usual factor c: 2, ½, 1/m, m, … and their products, see
   :func:`gradcore.teaching.mistakes.candidates`); ``one_wrong_entry``; ``rounded_to_1_digit``.
   The verdict is the first mistake found that is a verdict (``scaled`` for a negative factor);
   ``incorrect`` when the mistakes are only a wrong entry or a 1-digit rounding. ``mistakes``
   names them all.
3. ``scaled`` by any other factor: C ≈ α·T, α the least-squares ⟨C, T⟩ / ⟨T, T⟩ (for a rounded
   claim, brought inside the factors that round to C). C must not be ≈ 0, and T must have two nonzero
   entries or more (any number is a multiple of a single one).
4. ``incorrect``: none of the above; ``worst_index`` is the entry (in the
   claim's own indexing) with the largest |C − T| and ``wrong`` lists the
   entries beyond both rules (the first :data:`MAX_WRONG`, row by row).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradcore.core.errors import Location, NonFiniteError, Problem, ShapeError
from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Layer
from gradcore.teaching.claims import claim_problems
from gradcore.teaching.comparison import Comparison
from gradcore.teaching.judging import (
    MAX_WRONG,
    RTOL,
    Diagnosis,
    WrongEntry,
    alternatives_of,
    close,
    explain,
    judge,
    matches,
)
from gradcore.teaching.mistakes import candidates, forgetful_sets, usual_causes, without_derivatives

__all__ = [
    "MAX_WRONG",
    "RTOL",
    "Diagnosis",
    "WrongEntry",
    "alternatives_of",
    "close",
    "diagnose",
    "explain",
    "judge",
    "matches",
]


def diagnose(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    claimed_dW: Sequence[Array],
    claimed_db: Sequence[Array | None] | None = None,
    name: str = "half_squared_error",
    rtol: float = RTOL,
) -> tuple[list[Diagnosis], list[Diagnosis | None]]:
    """Diagnose claimed gradients ∂L/∂W_k (and ∂L/∂b_k) against backpropagation.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets.
    claimed_dW : sequence of ndarray
        One claim per layer, n_{k−1} × n_k or its transpose n_k × n_{k−1}.
    claimed_db : sequence of (ndarray, shape (n_k,), or None), optional
        One entry per layer; None where no bias gradient is claimed.
    name : str
        A key of :data:`gradcore.LOSSES`.
    rtol : float
        The relative tolerance of every comparison (see the module docstring).

    Returns
    -------
    (list of Diagnosis, list of (Diagnosis or None))
        The verdicts on the weights of layers 1 … L, and on the claimed biases (None where not claimed).

    Raises
    ------
    ShapeError
        If the network, X, Y or the claims do not fit together.
    NonFiniteError
        If a claim is so large that its difference from the true gradient overflows float64.
    """
    cache = forward(layers, X)
    true = backward(layers, cache, Y, name)
    problems = claim_problems(layers, claimed_dW, claimed_db)
    if problems:
        raise ShapeError(problems)
    m, n_L = X.shape[0], layers[-1].W.shape[1]
    comparison, factors = Comparison(rtol=rtol), candidates(m, n_L, name)

    def causes_of(alpha: float) -> str:
        return usual_causes(alpha, m, n_L, name, rtol)

    forgetful = [(S, without_derivatives(layers, cache, Y, name, S)) for S in forgetful_sets(layers, name)]
    weights = []
    for k, C in enumerate(claimed_dW):
        T = true.dW[k]
        alternatives = alternatives_of([(S, g.dW[k]) for S, g in forgetful if min(S) > k], T, layers, rtol)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            weights.append(judge(C, T, alternatives, f"∂L/∂W_{k + 1}", comparison, factors, causes_of, k + 1))
        _raise_if_overflow(weights[-1], ("claimed_gradients", k), f"claimed ∂L/∂W_{k + 1}")
    biases: list[Diagnosis | None] = []
    for k, c in enumerate(claimed_db or [None] * len(layers)):
        db = true.db[k]
        if c is None or db is None:
            biases.append(None)
            continue
        values = [(S, g_db) for S, g in forgetful if min(S) > k and (g_db := g.db[k]) is not None]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            alternatives = alternatives_of(values, db, layers, rtol)
            biases.append(judge(c, db, alternatives, f"∂L/∂b_{k + 1}", comparison, factors, causes_of))
        _raise_if_overflow(biases[-1], ("claimed_bias_gradients", k), f"claimed ∂L/∂b_{k + 1}")
    return weights, biases


def _raise_if_overflow(diagnosis: Diagnosis | None, location: Location, name: str) -> None:
    if diagnosis is not None and not np.isfinite(diagnosis.max_abs_error):
        raise NonFiniteError([Problem(location, f"{name} is so large that its error |C − T| overflows float64")])
