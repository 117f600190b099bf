"""Diagnose a claimed gradient: which of the usual hand-derivation mistakes explains it.

A claim C of ∂L/∂W_k (or ∂L/∂b_k) is compared with the true gradient T of
:func:`gradcore.backward`. "C ≈ R" is :func:`gradcore.teaching.rounding.match`: C is R
rounded to the d significant digits C carries (d ≥ 2; each entry within half a
unit of R's d-th digit), or max |C − R| ≤ rtol · max |R| + 10⁻¹² (rtol = 10⁻³
by default). Every verdict therefore holds for a claim written to 2 or more
digits, and says so in ``rounded_to``.

The verdicts are tried in this order; the first that holds is the answer:

1. ``correct``: C ≈ T.
2. ``sign_flipped``: C ≈ −T: (y − ŷ) where the gradient has (ŷ − y), the
   descent direction instead of the gradient (the slip of parts 1, 2 and 4-2
   of the 2016 series "Gradients for Neural Nets").
3. ``transposed``: Cᵀ ≈ T, the product in the wrong order, Δ_kᵀ · l_{k−1}. A
   claim of shape n_k × n_{k−1} (the shape of W_kᵀ) is transposed back first
   and can only be ``transposed`` or ``incorrect``. For a square W_k the test
   only runs when T is not symmetric (otherwise C ≈ T already held).
4. ``missing_activation_derivative``: C ≈ the gradient recomputed with
   f′_j ≡ 1 at one layer j ≥ k, the output layer first, then j = L − 1, …, k.
   (With binary_cross_entropy or cross_entropy, the output layer's f′ cancels,
   so only the hidden layers are tried.) This comes before ``scaled``: with one
   example and one output, a missing f′_L only rescales the gradient, by
   1 / f′_L(z_L), and the specific cause is the better answer.
5. ``scaled``: C ≈ α·T. A usual factor c (2, ½, 1/m, m, … and their products,
   either sign; see :func:`gradcore.teaching.mistakes.candidates`) is tried first and
   reported exactly; otherwise α is the least-squares ⟨C, T⟩ / ⟨T, T⟩ (for a
   rounded claim, brought inside the factors that round to C). C must not be ≈ 0.
6. ``incorrect``: none of the above; ``worst_index`` is the entry (in the
   claim's own indexing) with the largest |C − T| and ``wrong`` lists the
   entries beyond both rules (the first :data:`MAX_WRONG`, row by row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.errors import Location, NonFiniteError, Problem, ShapeError
from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Layer, describe
from gradcore.teaching.claims import claim_problems
from gradcore.teaching.mistakes import forgotten, scale_factor, usual_causes, without_derivative
from gradcore.teaching.rounding import ATOL, Match, digits, match, within_tolerance, wrong_entries

RTOL = 1e-3
"""Default relative tolerance of the tolerance rule."""
MAX_WRONG = 20
"""The most wrong entries an ``incorrect`` verdict lists; ``wrong_count`` counts them all."""


@dataclass(frozen=True)
class WrongEntry:
    """One entry of an incorrect claim: its index in the claim, the true value and the claimed one."""

    index: tuple[int, ...]
    expected: float
    claimed: float


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one claimed ∂L/∂W_k or ∂L/∂b_k.

    Attributes
    ----------
    verdict : str
        ``correct``, ``sign_flipped``, ``transposed``, ``missing_activation_derivative``, ``scaled`` or ``incorrect``.
    expected : ndarray
        The true gradient T, the shape of W_k (or b_k).
    max_abs_error : float
        max |C − T|, with C transposed back if it has the shape of W_kᵀ.
    factor : float or None
        α with C ≈ α·T: 1 when correct, −1 when sign_flipped, α when scaled; else None.
    hint : str
        What the verdict means and its usual cause, in the notation of the seed notes.
    worst_index : tuple of int or None
        For ``incorrect``: the index in C of the largest |C − T|.
    missing_at_layer : int or None
        For ``missing_activation_derivative``: the layer j (from 1) whose f′_j was left out.
    rounded_to : int or None
        The significant digits d to which C is its verdict's reference rounded; None when C matched
        within the tolerance only (or is ``incorrect``).
    wrong : tuple of WrongEntry
        For ``incorrect``: the first :data:`MAX_WRONG` entries beyond both rules, row by row.
    wrong_count : int
        For ``incorrect``: how many entries are wrong in all.
    """

    verdict: str
    expected: Array
    max_abs_error: float
    factor: float | None = None
    hint: str = ""
    worst_index: tuple[int, ...] | None = None
    missing_at_layer: int | None = None
    rounded_to: int | None = None
    wrong: tuple[WrongEntry, ...] = ()
    wrong_count: int = 0


def close(C: Array, R: Array, rtol: float = RTOL) -> bool:
    """C ≈ R within the tolerance: max |C − R| ≤ rtol · max |R| + 10⁻¹² (same shapes)."""
    return within_tolerance(C, R, rtol)


def _rounding(found: Match) -> str:
    return f" rounded to {found.rounded_to} significant digits" if found.rounded_to else ""


def _incorrect(C: Array, R: Array, hint: str, rtol: float, d: int | None, T: Array) -> Diagnosis:
    """Step 6 for a claim C of the shape of R (R is T, or Tᵀ for a claim of the shape of W_kᵀ)."""
    error = float(np.max(np.abs(C - R)))
    index = np.unravel_index(int(np.argmax(np.abs(C - R))), C.shape)
    mask = wrong_entries(C, R, rtol, d)
    listed = tuple(
        WrongEntry(tuple(int(i) for i in where), float(R[tuple(where)]), float(C[tuple(where)]))
        for where in np.argwhere(mask)[:MAX_WRONG]
    )
    return Diagnosis(
        "incorrect",
        T,
        error,
        None,
        hint,
        tuple(int(i) for i in index),
        wrong=listed,
        wrong_count=int(mask.sum()),
    )


def _judge(
    C: Array,
    T: Array,
    alternatives: Sequence[tuple[int, Array, str]],
    what: str,
    m: int,
    n_L: int,
    name: str,
    rtol: float,
    k: int | None,
) -> Diagnosis:
    """Steps 1 to 6 of the module docstring for a claim C of the shape of T (``what`` names T, e.g. ∂L/∂W_2).

    Step 3 runs for a square matrix only; for b_k, ``k`` is None and it never runs.
    """
    error = float(np.max(np.abs(C - T)))
    d = digits(C)
    found = match(C, T, rtol, d)
    if found is not None:
        return Diagnosis(
            "correct",
            T,
            error,
            1.0,
            f"the claim is {what}{_rounding(found) or ' within the tolerance'}",
            rounded_to=found.rounded_to,
        )
    if np.max(np.abs(T)) > ATOL and (found := match(C, -T, rtol, d)) is not None:
        return Diagnosis(
            "sign_flipped",
            T,
            error,
            -1.0,
            f"the claim is −{what}{_rounding(found)}: (y − ŷ) where the gradient has (ŷ − y); "
            "it is the descent direction, not the gradient",
            rounded_to=found.rounded_to,
        )
    if k is not None and C.ndim == 2 and C.shape[0] == C.shape[1] > 1 and match(C.T, T, rtol, d) is not None:
        return _transposed(C, T, what, k, rtol)
    for j, alternative, mistake in alternatives:
        if match(alternative, T, rtol, d) is None and (found := match(C, alternative, rtol, d)) is not None:
            return Diagnosis(
                "missing_activation_derivative",
                T,
                error,
                None,
                f"the claim is {what} with {mistake}{_rounding(found)}",
                missing_at_layer=j,
                rounded_to=found.rounded_to,
            )
    scaled = scale_factor(C, T, rtol, d, m, n_L, name)
    if scaled is not None:
        alpha, found = scaled
        return Diagnosis(
            "scaled",
            T,
            error,
            alpha,
            f"the claim is {alpha:.6g} × {what}{_rounding(found)}: {usual_causes(alpha, m, n_L, name, rtol)}",
            rounded_to=found.rounded_to,
        )
    return _incorrect(C, T, f"the claim is not {what} nor one of the usual mistakes", rtol, d, T)


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
    L, m, n_L = len(layers), X.shape[0], layers[-1].W.shape[1]
    forgetful = [(j + 1, without_derivative(layers, cache, Y, name, j)) for j in range(L)]
    mistakes = [(j, grads, forgotten(layers, j)) for j, grads in reversed(forgetful) if grads is not None]
    weights = []
    for k, C in enumerate(claimed_dW):
        T, what = true.dW[k], f"∂L/∂W_{k + 1}"
        alternatives = [(j, grads.dW[k], text) for j, grads, text in mistakes if j > k]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            if C.shape != T.shape:
                weights.append(_transposed(C, T, what, k + 1, rtol))
            else:
                weights.append(_judge(C, T, alternatives, what, m, n_L, name, rtol, k + 1))
        _raise_if_overflow(weights[-1], ("claimed_gradients", k), f"claimed ∂L/∂W_{k + 1}")
    biases: list[Diagnosis | None] = []
    for k, c in enumerate(claimed_db or [None] * L):
        db = true.db[k]
        if c is None or db is None:
            biases.append(None)
            continue
        alternatives = [
            (j, grads_db, text) for j, grads, text in mistakes if j > k and (grads_db := grads.db[k]) is not None
        ]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            biases.append(_judge(c, db, alternatives, f"∂L/∂b_{k + 1}", m, n_L, name, rtol, None))
        _raise_if_overflow(biases[-1], ("claimed_bias_gradients", k), f"claimed ∂L/∂b_{k + 1}")
    return weights, biases


def _transposed(C: Array, T: Array, what: str, k: int, rtol: float) -> Diagnosis:
    """Step 3: a claim that is (or has the shape of) the transpose of T."""
    error = float(np.max(np.abs(C.T - T)))
    found = match(C.T, T, rtol, digits(C))
    if found is not None:
        return Diagnosis(
            "transposed",
            T,
            error,
            None,
            f"the claim is ({what})ᵀ{_rounding(found)}: the product in the wrong order, "
            f"Δ_{k}ᵀ · l_{k - 1} ({describe(C.shape)}) instead of "
            f"l_{k - 1}ᵀ · Δ_{k} ({describe(T.shape)}, the shape of W_{k})",
            rounded_to=found.rounded_to,
        )
    return _incorrect(
        C,
        T.T,
        f"the claim has the shape of W_{k}ᵀ ({describe(C.shape)}) and, transposed, is still not {what}",
        rtol,
        digits(C),
        T,
    )


def _raise_if_overflow(diagnosis: Diagnosis | None, location: Location, name: str) -> None:
    if diagnosis is not None and not np.isfinite(diagnosis.max_abs_error):
        raise NonFiniteError([Problem(location, f"{name} is so large that its error |C − T| overflows float64")])
