"""gradcore.teaching.rounding: each function against its docstring's formula, computed here entry by entry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcore.teaching.rounding import (
    digits,
    entries_within,
    half_unit,
    match,
    scale_interval,
    within_tolerance,
    wrong_entries,
)


def unit_half(x: float, d: int, largest: float) -> float:
    """½ · 10^(⌊log₁₀ s⌋ − d + 1), s = max(|x|, 10⁻⁶ · largest): the module docstring's half unit."""
    s = max(abs(x), 1e-6 * largest)
    return 0.5 * 10.0 ** (math.floor(math.log10(s)) - d + 1)


@pytest.mark.parametrize(
    ("C", "d"),
    [
        ([[0.0, 0.0], [0.0, 0.0]], 1),  # nothing to write: 0 → 1
        ([[0.25]], 2),
        ([[-3.0]], 1),
        ([[123.456]], 6),
        ([7e-5], 1),
        ([[0.0, 0.125], [0.0, 0.0]], 3),
        ([[0.5, 0.125, -20.0]], 3),
        ([[0.123456789012]], 12),
        ([[1 / 3]], None),  # 16 digits: full precision, not a rounded claim
    ],
)
def test_digits_are_the_fewest_that_write_every_entry(C: list[list[float]], d: int | None) -> None:
    assert digits(np.array(C)) == d


def test_half_unit_has_its_floor_a_millionth_below_the_largest_entry_also_when_every_entry_is_below_1() -> None:
    R = np.array([[2e-3, -3e-8], [1e-12, 0.0]])
    for d in (2, 3, 5):
        expected = np.vectorize(lambda x, d=d: unit_half(x, d, 2e-3))(R)
        np.testing.assert_allclose(half_unit(R, d), expected, rtol=1e-12)
    C = np.array([[2e-3, 0.0], [0.0, 0.0]])
    assert entries_within(C, R, 2).tolist() == [[True, False], [True, True]]  # 3e-8 is above the floor 2e-9


def test_an_all_zero_claim_is_an_all_zero_reference_rounded() -> None:
    Z = np.zeros((2, 3))
    assert np.all(half_unit(Z, 2) > 0.0)
    assert entries_within(Z, Z, 2).all()
    assert match(Z, Z, 1e-3, digits(Z)) is not None


def test_within_tolerance_is_rtol_times_the_largest_entry_plus_1e_12() -> None:
    R = np.array([[0.5, -0.2]])
    bound = 1e-2 * 0.5 + 1e-12
    assert within_tolerance(R + np.array([[0.99 * bound, -0.99 * bound]]), R, 1e-2)
    assert not within_tolerance(R + np.array([[0.0, 1.01 * bound]]), R, 1e-2)
    assert within_tolerance(np.zeros((2, 2)), np.zeros((2, 2)), 1e-3)
    assert within_tolerance(np.array([[0.5e-12]]), np.zeros((1, 1)), 1e-3)
    assert not within_tolerance(np.array([[2e-12]]), np.zeros((1, 1)), 1e-3)


def test_wrong_entries_beyond_the_tolerance_of_a_reference_below_1() -> None:
    """Without digits (a full-precision claim): wrong is |C − R| > rtol · max |R| + 10⁻¹², here 2e-6 + 1e-12."""
    R = np.array([[2e-3, -1e-3, 0.0]])
    C = R + np.array([[1.5e-6, -3e-6, 0.5e-12]])
    assert wrong_entries(C, R, 1e-3, None).tolist() == [[False, True, False]]
    Z = np.zeros((1, 2))
    assert wrong_entries(np.array([[0.5e-12, 2e-12]]), Z, 1e-3, None).tolist() == [[False, True]]


def test_wrong_entries_of_a_rounded_claim_are_beyond_both_rules() -> None:
    """At 2 digits: 0.46 for 0.456 is rounding (but 0.4 % off, beyond rtol); 0.0004 for 0.0002 is within rtol · max |R|
    (but not rounding); −0.5 for 0.8 is beyond both."""
    R = np.array([[1.0, 0.0002, 0.6], [-0.3, 0.456, 0.8]])
    C = np.array([[1.0, 0.0004, 0.6], [-0.3, 0.46, -0.5]])
    assert digits(C) == 2
    assert wrong_entries(C, R, 1e-3, 2).tolist() == [[False, False, False], [False, False, True]]


def interval(C: np.ndarray, T: np.ndarray, d: int) -> tuple[float, float] | None:
    """The docstring's interval: entries with T_ij ≠ 0 bound α to [(C_ij − h_ij)/T_ij, (C_ij + h_ij)/T_ij] (ends in
    either order), h from C's own digits; entries with T_ij = 0 need |C_ij| ≤ h_ij."""
    largest = float(np.max(np.abs(C)))
    low, high = -math.inf, math.inf
    for c, t in zip(C.ravel(), T.ravel(), strict=True):
        h = unit_half(c, d, largest)
        if t == 0.0:
            if abs(c) > h:
                return None
            continue
        ends = sorted([(c - h) / t, (c + h) / t])
        low, high = max(low, ends[0]), min(high, ends[1])
    return (low, high) if low <= high else None


def test_scale_interval_is_where_every_entry_of_alpha_t_rounds_to_the_claim() -> None:
    T = np.array([[1.0, -0.335], [0.0, 0.32]])
    C = np.array([[3.7, -1.2], [0.0, 1.2]])
    expected = interval(C, T, 2)
    assert expected is not None
    assert expected[0] == pytest.approx(3.65, rel=1e-12)  # from 3.7 ± 0.05
    assert expected[1] == pytest.approx(1.25 / 0.335, rel=1e-12)  # from −1.2 ∓ 0.05 over −0.335
    found = scale_interval(C, T, 2)
    assert found is not None
    assert found == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("C", "T"),
    [
        ([[3.7, -1.3]], [[1.0, -0.335]]),  # 3.65 … 3.75 and 3.73 … 4.03 overlap; −1.9: they do not (below)
        ([[3.7]], [[1.0]]),  # one entry
        ([[3.7, 0.0]], [[1.0, 0.0]]),  # T = 0 where C = 0
    ],
)
def test_scale_interval_agrees_with_its_definition(C: list[list[float]], T: list[list[float]]) -> None:
    found, expected = scale_interval(np.array(C), np.array(T), 2), interval(np.array(C), np.array(T), 2)
    assert expected is not None
    assert found == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("C", "T"),
    [
        ([[3.7, -1.9]], [[1.0, -0.335]]),  # 3.65 … 3.75 and 5.52 … 5.82: no common factor
        ([[3.7, 0.01]], [[1.0, 0.0]]),  # T = 0 but C ≠ 0 beyond half a unit
    ],
)
def test_scale_interval_is_none_when_no_factor_rounds_to_the_claim(C: list[list[float]], T: list[list[float]]) -> None:
    assert interval(np.array(C), np.array(T), 2) is None
    assert scale_interval(np.array(C), np.array(T), 2) is None


def test_scale_interval_is_none_when_no_entry_bounds_the_factor() -> None:
    assert scale_interval(np.zeros((1, 2)), np.zeros((1, 2)), 2) is None


@pytest.mark.parametrize(
    ("entries", "expected"),
    [([1.234567891e-300], 10), ([-2.5e-305, 1e-300], 2), ([1e300, 2.5e299], 2), ([3e-200, 4.5e200], 2)],
)
def test_digits_of_entries_near_the_ends_of_the_float_range(entries: list[float], expected: int) -> None:
    """10^(d − 1 − exponent) alone overflows below about 1e-297: the count holds there too, with no warning."""
    assert digits(np.array(entries)) == expected
