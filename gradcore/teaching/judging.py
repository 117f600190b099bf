"""Judge one claim C against its reference T: correct, the usual mistakes (combined), scaled, or incorrect.

The steps are those of :mod:`gradcore.teaching.diagnosis`'s docstring; :func:`judge` takes the comparison
rule (:mod:`gradcore.teaching.comparison`), the alternatives with f′ left out and the usual scale factors, so
that :func:`gradcore.teaching.diagnosis.diagnose` (∂L/∂W_k, ∂L/∂b_k) and
:func:`gradcore.teaching.grading.grade` (every quantity) judge alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.types import Array, Layer, describe
from gradcore.teaching.combined import Alternative, Finding, search
from gradcore.teaching.comparison import Comparison, is_right, right_entries
from gradcore.teaching.mistakes import forgotten_all, scale_factor
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
        Step 3 runs with the ``rounding`` rule only, and only when T has two nonzero entries or more: every
        number is a multiple of a single one, so a proportion shows nothing there.
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
    if causes_of is not None and comparison.mode == "rounding" and np.count_nonzero(T) >= 2:
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
