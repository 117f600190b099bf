"""gradcore.teaching.judging.judge on one claim C against a true value T given here, as its docstrings state it:
step 1 (correct), the usual mistakes (explained), step 3 (scaled by any factor) and step 4 (incorrect)."""

from __future__ import annotations

import numpy as np
import pytest

from gradcore import Layer
from gradcore.teaching.combined import Alternative
from gradcore.teaching.comparison import Comparison
from gradcore.teaching.judging import WrongEntry, alternatives_of, judge

T = np.array([[0.4137, -1.2291, 0.0875], [2.3418, -0.6652, 0.9163]])
"""A true ∂L/∂W_1, 2 × 3 (not square, so only a claim of the shape 3 × 2 can be transposed)."""
WHAT = "∂L/∂W_1"
RULE = Comparison()


def written(A: np.ndarray, d: int) -> np.ndarray:
    """A rounded to d significant digits, as a person writes it (through the decimal text)."""
    return np.vectorize(lambda v: float(f"{v:.{d - 1}e}"))(A)


def causes(alpha: float) -> str:
    return f"the causes of {alpha:g}"


def test_a_correct_claim_rounded_to_3_digits_says_so() -> None:
    found = judge(written(T, 3), T, [], WHAT, RULE)
    assert (found.verdict, found.factor, found.rounded_to, found.mistakes) == ("correct", 1.0, 3, ())
    assert WHAT in found.hint
    assert "rounded to 3 significant digits" in found.hint
    assert found.expected is T


def test_a_correct_claim_at_full_precision_is_correct_within_the_tolerance() -> None:
    found = judge(T * (1 + 1e-7), T, [], WHAT, RULE)
    assert (found.verdict, found.rounded_to) == ("correct", None)
    assert found.hint.endswith("within the tolerance")
    assert "rounded to" not in found.hint
    assert found.max_abs_error == pytest.approx(1e-7 * 2.3418, rel=1e-6)


@pytest.mark.parametrize(
    ("alpha", "mistakes"), [(3.7, ("scaled",)), (0.37, ("scaled",)), (-3.7, ("sign_flipped", "scaled"))]
)
def test_step_3_a_claim_scaled_by_any_factor(alpha: float, mistakes: tuple[str, ...]) -> None:
    found = judge(written(alpha * T, 3), T, [], WHAT, RULE, causes_of=causes)
    assert (found.verdict, found.mistakes, found.rounded_to) == ("scaled", mistakes, 3)
    assert found.factor == pytest.approx(alpha, rel=1e-12)  # the fewest digits within the factors that round to C
    assert found.max_abs_error == pytest.approx(np.max(np.abs(written(alpha * T, 3) - T)), rel=1e-12)
    assert f"{abs(alpha):g} × {WHAT}" in found.hint
    assert causes(alpha) in found.hint


def test_without_causes_there_is_no_step_3() -> None:
    assert judge(written(3.7 * T, 3), T, [], WHAT, RULE).verdict == "incorrect"


def test_an_incorrect_claim_lists_the_entries_beyond_both_rules() -> None:
    """At 2 digits: 0.46 for 0.456 is rounding (0.9 % off, beyond rtol); 0.0004 for 0.0002 is within rtol · max |T|
    (not rounding); −0.5 for 0.8 is beyond both, and the only entry listed."""
    R = np.array([[1.0, 0.0002, 0.6], [-0.3, 0.456, 0.8]])
    C = np.array([[1.0, 0.0004, 0.6], [-0.3, 0.46, -0.5]])
    found = judge(C, R, [], WHAT, RULE)
    assert (found.verdict, found.mistakes, found.factor, found.rounded_to) == ("incorrect", (), None, None)
    assert found.expected is R
    assert found.worst_index == (1, 2)  # |C − T| is largest there (|C + T| at (0, 0))
    assert found.max_abs_error == pytest.approx(1.3, rel=1e-12)
    assert found.wrong == (WrongEntry((1, 2), 0.8, -0.5),)
    assert found.wrong_count == 1
    assert WHAT in found.hint


def test_an_incorrect_claim_under_another_rule_lists_the_entries_wrong_by_it() -> None:
    """To 1 decimal digit (|C − T| ≤ 0.05): 0.03 for 0.0002 is right; 1.2 for 1.0 and −0.5 for 0.8 are not."""
    R = np.array([[1.0, 0.0002, 0.6], [-0.3, 0.456, 0.8]])
    C = np.array([[1.2, 0.03, 0.6], [-0.3, 0.46, -0.5]])
    found = judge(C, R, [], WHAT, Comparison("decdig", digits=1))
    assert found.verdict == "incorrect"
    assert [entry.index for entry in found.wrong] == [(0, 0), (1, 2)]
    assert found.wrong_count == 2


def test_an_incorrect_claim_of_the_transposed_shape_is_judged_transposed_back() -> None:
    R = np.array([[1.0, 0.0002, 0.6], [-0.3, 0.456, 0.8]])
    C = np.array([[1.0, 0.0004, 0.6], [-0.3, 0.46, -0.5]]).T
    found = judge(C, R, [], WHAT, RULE, k=1)
    assert found.verdict == "incorrect"
    assert found.expected is R
    assert found.worst_index == (2, 1)  # in the claim's own indexing
    assert found.wrong == (WrongEntry((2, 1), 0.8, -0.5),)
    assert found.wrong_count == 1
    assert "3 × 2" in found.hint
    assert f"{WHAT}ᵀ" in found.hint


def test_a_transposed_claim_names_the_products_only_for_a_weights_layer() -> None:
    named = judge(T.T, T, [], "∂L/∂W_2", RULE, k=2)
    assert named.verdict == "transposed"
    assert "Δ_2ᵀ · l_1 (3 × 2)" in named.hint
    assert "l_1ᵀ · Δ_2 (2 × 3, the shape of W_2)" in named.hint
    plain = judge(T.T, T, [], "∂L/∂W_2", RULE)
    assert plain.verdict == "transposed"
    assert "the product in the wrong order" in plain.hint
    assert "Δ_" not in plain.hint


def test_a_sign_flipped_claim_is_the_descent_direction_and_says_to_how_many_digits() -> None:
    found = judge(written(-T, 2), T, [], WHAT, RULE)
    assert (found.verdict, found.factor, found.rounded_to, found.mistakes) == (
        "sign_flipped",
        -1.0,
        2,
        ("sign_flipped",),
    )
    assert "rounded to 2 significant digits" in found.hint
    assert "descent direction" in found.hint
    full = judge(-T * (1 + 1e-7), T, [], WHAT, RULE)  # full precision
    assert full.rounded_to is None
    assert f"−{WHAT}: " in full.hint
    assert "rounded to" not in full.hint


def test_a_claim_rounded_to_1_digit_is_rounded_to_1() -> None:
    found = judge(written(T, 1), T, [], WHAT, RULE)
    assert (found.verdict, found.mistakes, found.rounded_to) == ("incorrect", ("rounded_to_1_digit",), 1)


def test_one_wrong_entry_is_listed_with_its_values() -> None:
    C = written(T, 3)
    C[0, 2] = 5.0
    found = judge(C, T, [], WHAT, RULE)
    assert (found.verdict, found.mistakes) == ("incorrect", ("one_wrong_entry",))
    assert found.wrong == (WrongEntry((0, 2), 0.0875, 5.0),)
    assert (found.wrong_count, found.worst_index) == (1, (0, 2))


def test_a_factor_is_given_only_when_the_claim_is_a_multiple_of_t() -> None:
    """Diagnosis.factor is α with C ≈ α·T; −Tᵀ and −(T with f′ left out) are no multiple of T."""
    A = np.array([[0.9921, -0.1712, 0.5531], [-1.8807, 0.2214, 1.4418]])
    alternative = Alternative(A, (2,), "Δ_2 computed without its factor σ′(z_2)")
    flipped_transposed = judge(written(-T.T, 3), T, [alternative], WHAT, RULE)
    assert (flipped_transposed.mistakes, flipped_transposed.factor) == (("sign_flipped", "transposed"), None)
    flipped_missing = judge(written(-A, 3), T, [alternative], WHAT, RULE)
    assert flipped_missing.mistakes == ("sign_flipped", "missing_activation_derivative")
    assert (flipped_missing.verdict, flipped_missing.factor, flipped_missing.missing_at_layer) == (
        "sign_flipped",
        None,
        2,
    )
    assert "descent direction" not in flipped_missing.hint
    missing = judge(written(A, 3), T, [alternative], WHAT, RULE)
    assert (missing.verdict, missing.factor, missing.missing_at_layers) == ("missing_activation_derivative", None, (2,))
    assert alternative.text in missing.hint
    scaled = judge(written(-2 * T, 3), T, [], WHAT, RULE, factors=[(2.0, "the ½ dropped")])
    assert (scaled.verdict, scaled.mistakes, scaled.factor) == ("scaled", ("sign_flipped", "scaled"), -2.0)
    assert "descent direction" not in scaled.hint


def test_alternatives_are_kept_when_they_differ_from_t_and_from_every_earlier_one() -> None:
    layers = [Layer(W=np.ones((3, 2))), Layer(W=np.ones((2, 3))), Layer(W=np.ones((3, 1)))]
    A, B = 2 * T + 1.0, T - 3.0
    values = [((3,), T.copy()), ((2,), A), ((3, 2), A * (1 + 1e-6)), ((1,), T * (1 + 1e-6)), ((3, 1), B)]
    kept = alternatives_of(values, T, layers, 1e-3)
    assert [alt.layers for alt in kept] == [(2,), (3, 1)]
    assert kept[0].R is A
    assert "f′_3" in kept[1].text
    assert "f′_1" in kept[1].text
