"""How a claimed matrix is compared with a reference, entry by entry: four rules, the first the default.

A claim C (any shape) is compared with N references R at once (an array of N stacked R's), so that a
diagnosis can try every usual mistake in one pass. Per entry, C_ij is *right* against R_ij when:

* ``rounding`` (the default, for hand work): the rule of :mod:`gradcore.teaching.rounding`. C carries
  d significant digits (d ≥ 2); C_ij is within half a unit of the (d − 1)-th digit of R_ij (so within
  half a unit of the d-th digit, or of one digit fewer for a truncated claim or one rounded twice),
  or |C_ij − R_ij| ≤ rtol · max |R| + 10⁻¹². A claim is right when all its entries are right by the
  first rule or all by the second: exactly :func:`gradcore.teaching.rounding.match`;
* ``relabs``: |C_ij − R_ij| ≤ atol + rtol · |R_ij| (PrairieLearn's relative and absolute tolerance);
* ``sigfig``: |C_ij − R_ij| ≤ ½ · 10^(⌊log₁₀ s_ij⌋ − digits + 1), s_ij = max(|R_ij|, 10⁻⁶ · max |R|):
  C_ij is R_ij to ``digits`` significant figures;
* ``decdig``: |C_ij − R_ij| ≤ ½ · 10^(−digits): C_ij is R_ij to ``digits`` decimal digits.

Each bound gets a relative slack of 10⁻⁹ and a few units of float64 round-off, so that a claim exactly on
the bound (0.125 for 0.12 at 2 digits) counts as right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradcore.core.errors import ParameterError, Problem
from gradcore.core.types import Array
from gradcore.teaching.rounding import ATOL, FLOOR, U, rounding_candidates

MODES = ("rounding", "relabs", "sigfig", "decdig")
"""The comparison rules, the default first."""
DEFAULT_RTOL = 1e-3
"""The default relative tolerance (``rounding`` and ``relabs``)."""
DEFAULT_ATOL = 1e-8
"""The default absolute tolerance of ``relabs``."""
DEFAULT_DIGITS = 3
"""The default digits of ``sigfig`` and ``decdig``."""


@dataclass(frozen=True)
class Comparison:
    """A comparison rule (see the module docstring) and its parameters.

    Attributes
    ----------
    mode : str
        ``rounding``, ``relabs``, ``sigfig`` or ``decdig``.
    rtol : float
        Relative tolerance, 0 < rtol < 1 (``rounding``, ``relabs``).
    atol : float
        Absolute tolerance ≥ 0 (``relabs``).
    digits : int
        Significant figures (``sigfig``) or decimal digits (``decdig``), 1 … 15.
    """

    mode: str = "rounding"
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    digits: int = DEFAULT_DIGITS

    def problems(self) -> list[Problem]:
        """What is wrong with the parameters, located at ``("comparison", name)``."""
        problems = []
        if self.mode not in MODES:
            problems.append(Problem(("comparison", "mode"), f"must be one of {', '.join(MODES)}"))
        if not 0.0 < self.rtol < 1.0:
            problems.append(Problem(("comparison", "rtol"), "must be between 0 and 1 (exclusive)"))
        if not 0.0 <= self.atol < float("inf"):
            problems.append(Problem(("comparison", "atol"), "must be a finite number ≥ 0"))
        if not 1 <= self.digits <= 15:
            problems.append(Problem(("comparison", "digits"), "must be a whole number from 1 to 15"))
        return problems

    def check(self) -> Comparison:
        """This comparison, or a :class:`~gradcore.core.errors.ParameterError` naming what is wrong."""
        problems = self.problems()
        if problems:
            raise ParameterError(problems)
        return self

    def describe(self) -> str:
        """The rule in a few words, for a hint."""
        if self.mode == "relabs":
            return f"within {self.atol:g} + {self.rtol:g} × |expected|"
        if self.mode == "sigfig":
            return f"to {self.digits} significant figures"
        if self.mode == "decdig":
            return f"to {self.digits} decimal digits"
        return f"to the digits written (2 or more), or within {self.rtol:g} × max |expected|"


def _per_reference_max(Rs: Array) -> Array:
    """max |R| of each of the N stacked references, shaped to broadcast against them."""
    N = Rs.shape[0]
    largest: Array = np.max(np.abs(Rs).reshape(N, -1), axis=1, initial=0.0)
    return largest.reshape((N,) + (1,) * (Rs.ndim - 1))


def half_units(Rs: Array, d: int) -> Array:
    """Half a unit of the d-th significant digit of every entry of N stacked references (the floor per reference)."""
    scale = np.maximum(np.abs(Rs), FLOOR * _per_reference_max(Rs))
    scale = np.where(scale > 0.0, scale, np.finfo(np.float64).tiny)
    return 0.5 * 10.0 ** (np.floor(np.log10(scale)) - d + 1)


def within_digits(C: Array, Rs: Array, d: int) -> np.ndarray:
    """Per entry of each reference: C is R rounded to d significant digits."""
    slack = 8 * U * np.maximum(np.abs(C), np.abs(Rs))
    result: np.ndarray = np.abs(C - Rs) <= half_units(Rs, d) * (1 + 1e-9) + slack
    return result


def right_entries(C: Array, Rs: Array, comparison: Comparison, claim_digits: int | None) -> tuple[np.ndarray, Array]:
    """Per entry, whether C is right against each of N stacked references, and how many entries are not.

    Parameters
    ----------
    C : ndarray
        The claim, the shape of one reference.
    Rs : ndarray, shape (N, *C.shape)
        The references.
    comparison : Comparison
        The rule.
    claim_digits : int or None
        :func:`gradcore.teaching.rounding.digits` of C.

    Returns
    -------
    (ndarray of bool, shape (N, *C.shape), ndarray of int, shape (N,))
        The right entries, and the wrong count per reference (0: C is R). For ``rounding``, the
        entries of whichever of its two rules leaves fewer wrong.
    """
    N = Rs.shape[0]
    error = np.abs(C - Rs)
    slack = 8 * U * np.maximum(np.abs(C), np.abs(Rs))
    if comparison.mode == "relabs":
        right = error <= (comparison.atol + comparison.rtol * np.abs(Rs)) * (1 + 1e-9) + slack
    elif comparison.mode == "sigfig":
        right = within_digits(C, Rs, comparison.digits)
    elif comparison.mode == "decdig":
        right = error <= 0.5 * 10.0 ** (-comparison.digits) * (1 + 1e-9) + slack
    else:
        tolerant = error <= comparison.rtol * _per_reference_max(Rs) + ATOL
        candidates = rounding_candidates(claim_digits)
        if not candidates:
            return tolerant, np.sum(~tolerant.reshape(N, -1), axis=1)
        rounded = within_digits(C, Rs, candidates[-1])
        wrong_tolerant = np.sum(~tolerant.reshape(N, -1), axis=1)
        wrong_rounded = np.sum(~rounded.reshape(N, -1), axis=1)
        pick = (wrong_rounded <= wrong_tolerant).reshape((N,) + (1,) * C.ndim)
        return np.where(pick, rounded, tolerant), np.minimum(wrong_rounded, wrong_tolerant)
    return right, np.sum(~right.reshape(N, -1), axis=1)


def is_right(C: Array, R: Array, comparison: Comparison, claim_digits: int | None) -> bool:
    """C is R under the rule (same shapes)."""
    _, wrong = right_entries(C, R[np.newaxis], comparison, claim_digits)
    return bool(wrong[0] == 0)
