"""Combinations of the usual mistakes: which one or two of them turn the true value T into a claim C.

The usual mistakes of a derivation by hand (:data:`MISTAKES`), in the order they are tried:

* ``sign_flipped``: −T, (y − ŷ) where the gradient has (ŷ − y);
* ``transposed``: Tᵀ, a product in the wrong order (a square, non-symmetric T; or a claim of Tᵀ's shape);
* ``missing_activation_derivative``: T recomputed with f′_j ≡ 1 at one or more layers j (an
  :class:`Alternative`, given by the caller);
* ``scaled``: c · T for a usual factor c (the ½ or 2 of the loss, a mean 1/m instead of a sum, …);
* ``one_wrong_entry``: every entry right but one (claims of 2 entries or more; 3 or more in a combination);
* ``rounded_to_1_digit``: C, written to 1 significant digit, is the reference rounded to 1 digit
  (a claim needs 2 digits at least to be judged right by rounding).

:func:`search` builds every combination of at most two of them (one ``missing_activation_derivative``
may leave out f′ at several layers), compares C with all of them at once
(:func:`gradcore.teaching.comparison.right_entries`) and returns the first that holds: fewer mistakes
first, then in the order above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.types import Array
from gradcore.teaching.comparison import Comparison, right_entries, within_digits
from gradcore.teaching.rounding import ATOL, digits

MISTAKES = (
    "sign_flipped",
    "transposed",
    "missing_activation_derivative",
    "scaled",
    "one_wrong_entry",
    "rounded_to_1_digit",
)
"""Every mistake a diagnosis names, in the order they are tried."""
VERDICTS = ("sign_flipped", "transposed", "missing_activation_derivative", "scaled")
"""The mistakes that are verdicts too; a claim whose mistakes hold none of them is ``incorrect``."""
MAX_MISTAKES = 2
"""The most mistakes a combination holds."""


@dataclass(frozen=True)
class Alternative:
    """The quantity recomputed with f′_j ≡ 1 at the layers ``layers`` (from 1): the mistake of forgetting them.

    Attributes
    ----------
    R : ndarray
        The value with those factors left out, the shape of the true value.
    layers : tuple of int
        The layers j whose f′_j is left out.
    text : str
        The mistake in the seed's notation, e.g. ``Δ_2 = ∂L/∂ŷ * f′_2(z_2) computed without its factor …``.
    """

    R: Array
    layers: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Finding:
    """The combination of mistakes that explains a claim.

    Attributes
    ----------
    mistakes : tuple of str
        Names of :data:`MISTAKES`, in that order.
    reference : ndarray
        The value the claim is (in the claim's orientation), up to the one wrong entry and the rounding.
    factor : float or None
        The signed factor of ``sign_flipped`` and ``scaled`` (−1, c or −c); None when neither.
    missing_at : tuple of int
        The layers j whose f′_j was left out.
    wrong_index : tuple of int or None
        ``one_wrong_entry``: the index of that entry in the claim.
    text : str
        What the claim is, e.g. ``−(∂L/∂W_1 with …)``.
    causes : tuple of str
        The usual cause of each mistake, in the seed's notation.
    """

    mistakes: tuple[str, ...]
    reference: Array
    factor: float | None
    missing_at: tuple[int, ...]
    wrong_index: tuple[int, ...] | None
    text: str
    causes: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """The verdict: the first mistake that is one of :data:`VERDICTS`, but ``scaled`` for a negative factor."""
        return verdict_of(self.mistakes)


def verdict_of(mistakes: Sequence[str]) -> str:
    """The verdict of a combination: ``correct`` for none; ``scaled`` for a sign flip and a scale (a negative
    factor); else the first of :data:`VERDICTS` in it, or ``incorrect``."""
    if not mistakes:
        return "correct"
    if set(mistakes) == {"sign_flipped", "scaled"}:
        return "scaled"
    return next((name for name in mistakes if name in VERDICTS), "incorrect")


@dataclass(frozen=True)
class _Candidate:
    order: tuple[int, tuple[int, ...]]
    mistakes: tuple[str, ...]
    reference: int
    matcher: str
    factor: float | None
    missing_at: tuple[int, ...]
    words: _Words


def _transposable(C: Array, T: Array) -> tuple[bool, ...]:
    if T.ndim == 2 and C.shape != T.shape:
        return (True,)
    return (False, True) if T.ndim == 2 and T.shape[0] == T.shape[1] > 1 else (False,)


def search(
    C: Array,
    T: Array,
    what: str,
    alternatives: Sequence[Alternative],
    comparison: Comparison,
    factors: Sequence[tuple[float, str]] = (),
    *,
    transposable: bool = True,
    max_mistakes: int = MAX_MISTAKES,
    transpose_cause: str = "the product in the wrong order",
) -> Finding | None:
    """The first combination of at most ``max_mistakes`` usual mistakes that turns T into C, or None.

    Parameters
    ----------
    C : ndarray
        The claim: T's shape, or Tᵀ's for a matrix (then ``transposed`` is one of its mistakes).
    T : ndarray
        The true value (or the value the learner's own earlier answers give).
    what : str
        T's name, e.g. ``∂L/∂W_2``.
    alternatives : sequence of Alternative
        T with f′ left out at some layers, the one-layer ones first.
    comparison : Comparison
        When a claim is its reference.
    factors : sequence of (float, str)
        The usual factors c > 0 of a scale mistake, with their causes.
    transposable : bool
        Whether ``transposed`` applies (a product's result).
    max_mistakes : int
        The most mistakes in a combination.
    transpose_cause : str
        The usual cause of ``transposed`` for this quantity, in the seed's notation.

    Returns
    -------
    Finding or None
        The first combination (fewest mistakes, then in the order of :data:`MISTAKES`) that holds.
    """
    references: list[Array] = []
    candidates: list[_Candidate] = []
    large = float(np.max(np.abs(T), initial=0.0)) > ATOL
    bases: list[tuple[Array, Alternative | None]] = [(T, None), *((alt.R, alt) for alt in alternatives)]
    transposes = _transposable(C, T) if transposable else (False,)
    if C.shape != T.shape and transposes != (True,):
        return None
    for base, alternative in bases:
        for transpose in transposes:
            for sign in (1.0, -1.0) if large else (1.0,):
                for c, cause in [(1.0, ""), *factors]:
                    _add(
                        candidates,
                        references,
                        base,
                        alternative,
                        transpose,
                        sign,
                        c,
                        cause,
                        what,
                        max_mistakes,
                        transpose_cause,
                    )
    if not candidates:
        return None
    Rs = np.stack(references)
    d = digits(C)
    right, wrong = right_entries(C, Rs, comparison, d)
    one_digit, one_digit_wrong = None, None
    if d == 1 and np.any(C != 0.0):
        one_digit = within_digits(C, Rs, 1)
        one_digit_wrong = np.sum(~one_digit.reshape(len(Rs), -1), axis=1)
    for candidate in sorted(candidates, key=lambda item: item.order):
        i = candidate.reference
        if candidate.matcher == "exact" and wrong[i] == 0:
            return _finding(candidate, Rs[i], None)
        if candidate.matcher == "one" and wrong[i] == 1 and C.size >= (2 if len(candidate.mistakes) == 1 else 3):
            index = tuple(int(k) for k in np.argwhere(~right[i])[0])
            return _finding(candidate, Rs[i], index)
        if candidate.matcher == "r1" and one_digit_wrong is not None and one_digit_wrong[i] == 0:
            return _finding(candidate, Rs[i], None)
        one_r1 = candidate.matcher == "one_r1" and one_digit is not None and one_digit_wrong is not None
        if one_r1 and one_digit_wrong[i] == 1 and C.size >= 3:  # type: ignore[index]
            index = tuple(int(k) for k in np.argwhere(~one_digit[i])[0])  # type: ignore[index]
            return _finding(candidate, Rs[i], index)
    return None


def _add(
    candidates: list[_Candidate],
    references: list[Array],
    base: Array,
    alternative: Alternative | None,
    transpose: bool,
    sign: float,
    c: float,
    cause: str,
    what: str,
    max_mistakes: int,
    transpose_cause: str,
) -> None:
    """The candidates of one reference: as it is, with one wrong entry, and rounded to 1 digit."""
    mistakes = [
        name
        for name, present in (
            ("missing_activation_derivative", alternative is not None),
            ("transposed", transpose),
            ("sign_flipped", sign < 0),
            ("scaled", c != 1.0),
        )
        if present
    ]
    if len(mistakes) > max_mistakes:
        return
    factor = sign * c if (sign < 0 or c != 1.0) else None
    references.append(sign * c * (base.T if transpose else base))
    i = len(references) - 1
    missing = alternative.layers if alternative is not None else ()
    words = _Words(what, alternative, transpose, sign, c, cause, transpose_cause)
    variants: list[tuple[str, tuple[str, ...]]] = [("exact", ())] if mistakes else []
    if len(mistakes) < max_mistakes:
        variants += [("one", ("one_wrong_entry",)), ("r1", ("rounded_to_1_digit",))]
    if not mistakes and max_mistakes >= 2:
        variants.append(("one_r1", ("one_wrong_entry", "rounded_to_1_digit")))
    for matcher, more in variants:
        names = sorted([*mistakes, *more], key=MISTAKES.index)
        order = (len(names), tuple(MISTAKES.index(name) for name in names))
        candidates.append(_Candidate(order, tuple(names), i, matcher, factor, missing, words))


@dataclass(frozen=True)
class _Words:
    """What makes a candidate's text and causes, written only for the candidate found."""

    what: str
    alternative: Alternative | None
    transpose: bool
    sign: float
    c: float
    cause: str
    transpose_cause: str

    def write(self, matcher: str) -> tuple[str, tuple[str, ...]]:
        causes: list[str] = []
        text = self.what
        if self.alternative is not None:
            causes.append(self.alternative.text)
            text = f"{self.what} with {self.alternative.text}"
        if self.transpose:
            causes.append(self.transpose_cause)
            text = f"({text})ᵀ"
        if self.sign < 0 and self.c == 1.0:
            causes.append("(y − ŷ) where the gradient has (ŷ − y)")
        if self.c != 1.0:
            causes.append(f"the sign flipped and {self.cause}" if self.sign < 0 else self.cause)
        if self.sign < 0 or self.c != 1.0:
            factor = self.sign * self.c
            shown = f"({text})" if self.alternative is not None and not self.transpose else text
            text = f"−{shown}" if factor == -1.0 else f"{factor:.6g} × {shown}".replace("-", "−", 1)
        if matcher in ("r1", "one_r1"):
            causes.append("rounded to 1 significant digit: write 2 at least (3 or 4 for work by hand)")
            text += " rounded to 1 significant digit"
        if matcher in ("one", "one_r1"):
            causes.append("an arithmetic slip in one entry")
            text += ", but one entry"
        return text, tuple(causes)


def _finding(candidate: _Candidate, reference: Array, index: tuple[int, ...] | None) -> Finding:
    text, causes = candidate.words.write(candidate.matcher)
    return Finding(candidate.mistakes, reference, candidate.factor, candidate.missing_at, index, text, causes)
