"""When a claimed matrix C "is" a reference R: within a relative tolerance, or R rounded to d significant digits.

People write gradients to a few digits. A claim C matches a reference R (the
true gradient T, or one of the usual mistakes −T, Tᵀ, α·T, …) when either

* **rounding**: C carries d ≤ 12 significant digits (:func:`digits`: the fewest
  that write every entry of C) and every entry is within half a unit of the
  d-th significant digit of R's entry:

      |C_ij − R_ij| ≤ ½ · 10^(⌊log₁₀ s_ij⌋ − d + 1),  s_ij = max(|R_ij|, 10⁻⁶ · max |R|)

  (plus a few units of float64 round-off). The floor s_ij lets an entry a
  millionth of the largest be written as 0. A truncated claim, or one rounded
  twice, is within half a unit of d − 1 digits instead, and matches at d − 1
  (if d − 1 ≥ 2). The match reports that d as ``rounded_to``;
* **tolerance**: max |C − R| ≤ rtol · max |R| + 10⁻¹² (rounding or not).

A claim of more than 12 significant digits (full float64 precision, say) matches by tolerance only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradcore.core.types import Array

MIN_DIGITS = 2
"""The fewest significant digits a rounded claim may carry and still be judged by rounding."""
MAX_DIGITS = 12
"""The most significant digits a claim may carry and be called rounded; more is full float64 precision."""
FLOOR = 1e-6
"""Entries of R below FLOOR · max |R| are judged at the digits of FLOOR · max |R|."""
ATOL = 1e-12
"""Absolute slack of the tolerance rule, so that an all-zero gradient can be matched."""
U = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Match:
    """How C matches R: ``rounded_to`` d when by rounding to d digits, None when by tolerance."""

    rounded_to: int | None


def digits(C: Array) -> int | None:
    """The fewest significant digits d ≤ 12 that write every entry of C, or None when more are needed (0 → 1)."""
    nonzero = np.abs(C[C != 0.0])
    if nonzero.size == 0:
        return 1
    exponent = np.floor(np.log10(nonzero))
    with np.errstate(over="ignore", invalid="ignore"):  # beyond 1e308 (entries below ~1e-297): not "written"
        scale = 10.0 ** (_DIGITS - 1 - exponent)  # one row per d = 1 … 12
        rounded = np.round(nonzero * scale) / scale
    written = np.all(np.abs(rounded - nonzero) <= 4 * U * nonzero, axis=1)
    return int(np.argmax(written)) + 1 if written.any() else None


_DIGITS = np.arange(1, MAX_DIGITS + 1, dtype=np.float64)[:, np.newaxis]


def half_unit(R: Array, d: int) -> Array:
    """½ · 10^(⌊log₁₀ s⌋ − d + 1) per entry, s = max(|R|, FLOOR · max |R|): half a unit of R's d-th digit."""
    scale = np.maximum(np.abs(R), FLOOR * float(np.max(np.abs(R), initial=0.0)))
    scale = np.where(scale > 0.0, scale, np.finfo(np.float64).tiny)
    return 0.5 * 10.0 ** (np.floor(np.log10(scale)) - d + 1)


def entries_within(C: Array, R: Array, d: int) -> np.ndarray:
    """Per entry: C is R rounded to d significant digits (half a unit of the d-th digit, plus float slack)."""
    slack = 8 * U * np.maximum(np.abs(C), np.abs(R))
    result: np.ndarray = np.abs(C - R) <= half_unit(R, d) * (1 + 1e-9) + slack
    return result


def within_tolerance(C: Array, R: Array, rtol: float) -> bool:
    """max |C − R| ≤ rtol · max |R| + 10⁻¹² (same shapes)."""
    return bool(np.max(np.abs(C - R)) <= rtol * np.max(np.abs(R)) + ATOL)


def rounding_candidates(claim_digits: int | None) -> list[int]:
    """The digit counts d at which a claim carrying ``claim_digits`` digits is compared: d, then d − 1 (≥ 2)."""
    if claim_digits is None:
        return []
    d = max(claim_digits, MIN_DIGITS)
    return [d, d - 1] if d - 1 >= MIN_DIGITS else [d]


def match(C: Array, R: Array, rtol: float, claim_digits: int | None) -> Match | None:
    """Whether C is R rounded (to the digits C carries) or within the tolerance; None when neither.

    Parameters
    ----------
    C, R : ndarray, the same shape
        The claim and the reference.
    rtol : float
        The relative tolerance of the tolerance rule.
    claim_digits : int or None
        :func:`digits` of C (computed once per claim).
    """
    for d in rounding_candidates(claim_digits):
        if bool(np.all(entries_within(C, R, d))):
            return Match(d)
    return Match(None) if within_tolerance(C, R, rtol) else None


def wrong_entries(C: Array, R: Array, rtol: float, claim_digits: int | None) -> np.ndarray:
    """Per entry: C differs from R beyond both rules (beyond rounding to d − 1 digits and beyond the tolerance)."""
    bound = rtol * float(np.max(np.abs(R), initial=0.0)) + ATOL
    wrong: np.ndarray = np.abs(C - R) > bound
    candidates = rounding_candidates(claim_digits)
    if candidates:
        beyond: np.ndarray = wrong & ~entries_within(C, R, candidates[-1])
        if beyond.any():
            return beyond
    return wrong


def scale_interval(C: Array, T: Array, d: int) -> tuple[float, float] | None:
    """The factors α with every entry of C within half a unit of its d-th digit of α·T, or None.

    Each entry with T_ij ≠ 0 bounds α to [(C_ij − h_ij)/T_ij, (C_ij + h_ij)/T_ij] (h from C's own
    digits, which are α·T's up to rounding); entries with T_ij = 0 need |C_ij| ≤ h_ij.
    """
    h = half_unit(C, d) * (1 + 1e-9) + 8 * U * np.abs(C)
    zero = T == 0.0
    if np.any(np.abs(C[zero]) > h[zero]):
        return None
    t, c, w = T[~zero], C[~zero], h[~zero]
    if t.size == 0:
        return None
    ends = np.stack([(c - w) / t, (c + w) / t])
    low, high = float(np.max(np.min(ends, axis=0))), float(np.min(np.max(ends, axis=0)))
    return (low, high) if low <= high else None
