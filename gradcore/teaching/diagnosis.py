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
   claim, brought inside the factors that round to C). C must not be ≈ 0.
4. ``incorrect``: none of the above; ``worst_index`` is the entry (in the
   claim's own indexing) with the largest |C − T| and ``wrong`` lists the
   entries beyond both rules (the first :data:`MAX_WRONG`, row by row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.errors import Location, NonFiniteError, Problem, ShapeError
from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Layer, describe
from gradcore.teaching.claims import claim_problems
from gradcore.teaching.combined import Alternative, Finding, search
from gradcore.teaching.comparison import Comparison, is_right, right_entries
from gradcore.teaching.mistakes import (
    candidates,
    forgetful_sets,
    forgotten_all,
    scale_factor,
    usual_causes,
    without_derivatives,
)
from gradcore.teaching.rounding import Match, digits, match, within_tolerance, wrong_entries

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
    mistakes : tuple of str
        The usual mistakes found (:data:`gradcore.teaching.combined.MISTAKES`), at most two; empty when the
        claim is correct or no combination explains it.
    missing_at_layers : tuple of int
        For ``missing_activation_derivative``: every layer j whose f′_j was left out.
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
    mistakes: tuple[str, ...] = ()
    missing_at_layers: tuple[int, ...] = ()


def close(C: Array, R: Array, rtol: float = RTOL) -> bool:
    """C ≈ R within the tolerance: max |C − R| ≤ rtol · max |R| + 10⁻¹² (same shapes)."""
    return within_tolerance(C, R, rtol)


def _rounding(found: Match) -> str:
    return f" rounded to {found.rounded_to} significant digits" if found.rounded_to else ""


def _incorrect(
    C: Array, R: Array, hint: str, comparison: Comparison, d: int | None, T: Array, mistakes: tuple[str, ...] = ()
) -> Diagnosis:
    """Step 4 for a claim C of the shape of R (R is T, or Tᵀ for a claim of the shape of W_kᵀ)."""
    error = float(np.max(np.abs(C - R)))
    index = np.unravel_index(int(np.argmax(np.abs(C - R))), C.shape)
    if comparison.mode == "rounding":
        mask = wrong_entries(C, R, comparison.rtol, d)
    else:
        mask = ~right_entries(C, R[np.newaxis], comparison, d)[0][0]
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
        mistakes=mistakes,
    )


def _transpose_cause(what: str, k: int | None, T: Array) -> str:
    if k is None or not what.startswith("∂L/∂W"):
        return "the product in the wrong order"
    return (
        f"the product in the wrong order, Δ_{k}ᵀ · l_{k - 1} ({describe(T.T.shape)}) instead of "
        f"l_{k - 1}ᵀ · Δ_{k} ({describe(T.shape)}, the shape of W_{k})"
    )


def matches(C: Array, R: Array, comparison: Comparison, d: int | None) -> Match | None:
    """:func:`gradcore.teaching.rounding.match` for the default rule, else whether every entry is right."""
    if comparison.mode == "rounding":
        return match(C, R, comparison.rtol, d)
    return Match(None) if is_right(C, R, comparison, d) else None


def explain(finding: Finding, C: Array, T: Array, comparison: Comparison, d: int | None) -> Diagnosis:
    """The diagnosis of a claim C that :func:`gradcore.teaching.combined.search` explained by ``finding``."""
    R = T.T if C.shape != T.shape else T
    error = float(np.max(np.abs(C - R)))
    found = matches(C, finding.reference, comparison, d) if finding.wrong_index is None else None
    rounded_to = 1 if "rounded_to_1_digit" in finding.mistakes else (found.rounded_to if found else None)
    shown = _rounding(found) if found is not None and rounded_to != 1 else ""
    causes = "; ".join(finding.causes)
    if finding.mistakes == ("sign_flipped",):
        causes += "; it is the descent direction, not the gradient"
    wrong: tuple[WrongEntry, ...] = ()
    if finding.wrong_index is not None:
        where = finding.wrong_index
        wrong = (WrongEntry(where, float(R[where]), float(C[where])),)
    simple = not {"missing_activation_derivative", "transposed"} & set(finding.mistakes)
    return Diagnosis(
        finding.verdict,
        T,
        error,
        finding.factor if simple else None,
        f"the claim is {finding.text}{shown}: {causes}",
        finding.wrong_index,
        finding.missing_at[0] if finding.missing_at else None,
        rounded_to,
        wrong,
        len(wrong),
        finding.mistakes,
        finding.missing_at,
    )


def judge(
    C: Array,
    T: Array,
    alternatives: Sequence[Alternative] | Callable[[], Sequence[Alternative]],
    what: str,
    comparison: Comparison,
    factors: Sequence[tuple[float, str]] = (),
    causes_of: Callable[[float], str] | None = None,
    k: int | None = None,
) -> Diagnosis:
    """Steps 1 to 4 of the module docstring for a claim C of the shape of T or, for a matrix, of Tᵀ.

    Parameters
    ----------
    C, T : ndarray
        The claim and the true value (of the same shape, or transposed shapes for a matrix).
    alternatives : sequence of Alternative, or a callable that makes them
        T with f′ left out at some layers (made only when C is not T).
    what : str
        T's name, e.g. ∂L/∂W_2.
    comparison : Comparison
        When a claim is its reference.
    factors : sequence of (float, str)
        The usual scale factors c > 0 and their causes.
    causes_of : callable or None
        ``causes_of(α)`` names the causes of any factor α; None: no step 3 (``scaled`` by an unusual factor).
        Step 3 runs with the ``rounding`` rule only.
    k : int or None
        The layer of a weights gradient (names the transposed product); None for other quantities.
        A matrix may be ``transposed``; a vector or a number may not.

    Returns
    -------
    Diagnosis
        The verdict, ``mistakes`` and hint.
    """
    d = digits(C)
    if C.shape == T.shape:
        found = matches(C, T, comparison, d)
        if found is not None:
            error = float(np.max(np.abs(C - T)))
            hint = f"the claim is {what}{_rounding(found) or ' within the tolerance'}"
            return Diagnosis("correct", T, error, 1.0, hint, rounded_to=found.rounded_to)
    finding = search(
        C,
        T,
        what,
        alternatives() if callable(alternatives) else alternatives,
        comparison,
        factors,
        transposable=T.ndim == 2,
        transpose_cause=_transpose_cause(what, k, T),
    )
    if finding is not None:
        return explain(finding, C, T, comparison, d)
    if C.shape != T.shape:
        return _incorrect(
            C,
            T.T,
            f"the claim has the shape of {what}ᵀ ({describe(C.shape)}) and, transposed, is still not {what}",
            comparison,
            d,
            T,
        )
    error = float(np.max(np.abs(C - T)))
    if causes_of is not None and comparison.mode == "rounding":
        scaled = scale_factor(C, T, comparison.rtol, d, 1, 1, "", usual=False)
        if scaled is not None:
            alpha, found = scaled
            return Diagnosis(
                "scaled",
                T,
                error,
                alpha,
                f"the claim is {alpha:.6g} × {what}{_rounding(found)}: {causes_of(alpha)}",
                rounded_to=found.rounded_to,
                mistakes=("sign_flipped", "scaled") if alpha < 0 else ("scaled",),
            )
    return _incorrect(C, T, f"the claim is not {what} nor one of the usual mistakes", comparison, d, T)


def alternatives_of(
    values: Sequence[tuple[tuple[int, ...], Array]], T: Array, layers: Sequence[Layer], rtol: float
) -> list[Alternative]:
    """The :class:`Alternative` of each (layers, value) that differs from T and from every earlier one."""
    kept: list[Alternative] = []
    for forgotten_layers, R in values:
        if within_tolerance(R, T, rtol) or any(within_tolerance(R, alt.R, rtol) for alt in kept):
            continue
        kept.append(Alternative(R, forgotten_layers, forgotten_all(layers, forgotten_layers)))
    return kept


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
