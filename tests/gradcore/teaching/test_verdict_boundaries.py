"""The verdicts' boundaries: a claim just inside each tolerance is right, just outside is wrong, at 1–6 digits.

Every bound is computed here from its definition (PrairieLearn's three rules and the default rule of
:mod:`gradcore.teaching.rounding`), not from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcore import Layer, diagnose
from gradcore.teaching.answers import Answer, LayerAnswer
from gradcore.teaching.comparison import Comparison, is_right
from gradcore.teaching.grading import grade
from gradcore.teaching.rounding import digits, entries_within, match

DIGITS = [1, 2, 3, 4, 5, 6]
R = np.array([[0.1212121212, -3.4343434343], [0.0056565656, 27.878787878]])


def half_unit(x: float, n: int) -> float:
    """½ · 10^(⌊log₁₀ |x|⌋ − n + 1): half a unit of the n-th significant digit of x."""
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(x))) - n + 1)


def moved(R: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """R with each entry moved away from zero by its amount (an error of the sign of the entry)."""
    return R + np.sign(R) * amounts


@pytest.mark.parametrize("n", DIGITS)
def test_significant_figures(n: int) -> None:
    comparison = Comparison("sigfig", digits=n)
    h = np.vectorize(half_unit)(R, n)
    assert is_right(moved(R, 0.99 * h), R, comparison, None)
    for i in np.ndindex(R.shape):
        outside = moved(R, 0.99 * h)
        outside[i] = R[i] + np.sign(R[i]) * 1.01 * h[i]
        assert not is_right(outside, R, comparison, None), i


@pytest.mark.parametrize("n", DIGITS)
def test_decimal_digits(n: int) -> None:
    comparison = Comparison("decdig", digits=n)
    h = 0.5 * 10.0**-n
    assert is_right(R + 0.99 * h, R, comparison, None)
    assert is_right(R - 0.99 * h, R, comparison, None)
    outside = R.copy()
    outside[1, 0] += 1.01 * h
    assert not is_right(outside, R, comparison, None)


@pytest.mark.parametrize(("rtol", "atol"), [(1e-2, 1e-8), (1e-3, 0.0), (1e-4, 1e-3), (0.05, 0.0)])
def test_relative_and_absolute_tolerance(rtol: float, atol: float) -> None:
    comparison = Comparison("relabs", rtol=rtol, atol=atol)
    bound = atol + rtol * np.abs(R)
    assert is_right(moved(R, 0.99 * bound), R, comparison, None)
    outside = moved(R, 0.99 * bound)
    outside[0, 0] = R[0, 0] + 1.01 * bound[0, 0]
    assert not is_right(outside, R, comparison, None)


def written(x: np.ndarray, d: int) -> np.ndarray:
    """x rounded to d significant digits, as a person writes it (through the decimal text)."""
    return np.vectorize(lambda v: float(f"{v:.{d - 1}e}"))(x)


@pytest.mark.parametrize("d", DIGITS)
def test_the_default_rule_at_the_digits_written(d: int) -> None:
    """Rounded to d ≥ 2 digits: right; 4 units of the d-th digit off: still right (within half a unit of the
    (d−1)-th); 6 units off: wrong. A 1-digit claim is never right by rounding (15 % off for 0.1212)."""
    comparison = Comparison("rounding", rtol=1e-12)
    claim = written(R, d)
    assert digits(claim) == d
    assert is_right(claim, R, comparison, d) == (d >= 2)
    if d < 2:
        return
    unit = np.vectorize(lambda x: 2 * half_unit(x, d))(R)
    inside, outside = claim + np.sign(R) * 4 * unit, claim.copy()
    outside[0, 1] += np.sign(R[0, 1]) * 6 * unit[0, 1]
    assert digits(inside) == d
    assert digits(outside) == d
    assert is_right(inside, R, comparison, d) == (d >= 3)  # at d = 2, the fallback would be 1 digit: none
    assert not is_right(outside, R, comparison, d)


@pytest.mark.parametrize("rtol", [1e-2, 1e-3, 1e-4])
def test_the_default_rules_tolerance(rtol: float) -> None:
    comparison = Comparison("rounding", rtol=rtol)
    bound = rtol * np.max(np.abs(R))
    inside = R.copy()
    inside[0, 0] += 0.99 * bound
    outside = R.copy()
    outside[0, 0] += 1.01 * bound
    assert is_right(inside, R, comparison, None)
    assert not is_right(outside, R, comparison, None)


@pytest.mark.parametrize("d", DIGITS)
def test_diagnose_and_grade_agree_with_the_rule_at_every_digit_count(d: int) -> None:
    """A one-layer network's ∂L/∂W rounded to d digits: correct for d ≥ 2, else ``rounded_to_1_digit``."""
    rng = np.random.default_rng(d)
    W, X, Y = rng.normal(size=(3, 2)), rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    y_hat = 1 / (1 + np.exp(-X @ W))
    T = X.T @ ((y_hat - Y) * y_hat * (1 - y_hat))
    claim = written(T, d)
    weights, _ = diagnose([Layer(W=W)], X, Y, [claim])
    graded = grade([Layer(W=W)], X, Y, Answer(layers=(LayerAnswer(weights_gradient=claim),)))
    expected = ("correct", ()) if d >= 2 else ("incorrect", ("rounded_to_1_digit",))
    assert (weights[0].verdict, weights[0].mistakes) == expected
    assert (graded[0].verdict, graded[0].mistakes) == expected


def test_a_claim_15_percent_off_is_not_correct() -> None:
    """The guard of MIN_DIGITS = 2: 0.1 for 0.1172 is rounding to 1 digit, never correct."""
    T = np.array([[0.1172, 0.2346], [0.3319, 0.4421]])
    assert not is_right(written(T, 1), T, Comparison(), 1)


@pytest.mark.parametrize("d", DIGITS)
def test_rounding_match_itself_at_every_digit_count(d: int) -> None:
    """:func:`gradcore.teaching.rounding.match` (what ``diagnose`` and verify use): the claim rounded to d digits
    matches at d; 4 units of the d-th digit off, at d − 1; 6 units off, not at all; each entry just inside and
    just outside half a unit of its d-th digit, at d exactly."""
    claim = written(R, d)
    found = match(claim, R, 1e-12, d)
    assert (found is not None and found.rounded_to == d) == (d >= 2)
    if d < 2:
        assert found is None
        return
    unit = np.vectorize(lambda x: 2 * half_unit(x, d))(R)
    assert rounding_match_digits(claim + np.sign(R) * 4 * unit, d) == (d - 1 if d >= 3 else None)
    outside = claim.copy()
    outside[1, 1] += np.sign(R[1, 1]) * 6 * unit[1, 1]
    assert rounding_match_digits(outside, d) is None
    h = unit / 2
    assert entries_within(moved(R, 0.99 * h), R, d).all()
    assert not entries_within(moved(R, 1.01 * h), R, d).any()


def rounding_match_digits(claim: np.ndarray, d: int) -> int | None:
    found = match(claim, R, 1e-12, d)
    return None if found is None else found.rounded_to
