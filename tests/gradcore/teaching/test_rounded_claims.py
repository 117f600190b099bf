"""Rounded claims: every verdict holds for claims written to 2, 3, 4 and 6 significant digits.

The claims are built here in numpy from the seed's formulas: the true gradient (or one of the usual
mistakes applied to it), then rounded with numpy. The expected verdict is the mistake applied; a
precondition checks, from the math alone, that the mistake is more than rounding away from the truth.
"""

from __future__ import annotations

import numpy as np
import pytest
from sigmoid_net import SigmoidNet

from gradcore import Layer, diagnose
from gradcore.teaching.answers import Answer, LayerAnswer
from gradcore.teaching.diagnosis import MAX_WRONG
from gradcore.teaching.grading import grade
from gradcore.teaching.rounding import digits, entries_within

DIGITS = [2, 3, 4, 6]
SEEDS = [0, 1, 2, 3]


def rounded(A: np.ndarray, d: int) -> np.ndarray:
    """A rounded to d significant digits, entry by entry, with numpy."""
    exponent = np.floor(np.log10(np.where(A == 0.0, 1.0, np.abs(A))))
    unit = 10.0 ** (exponent - d + 1)
    result: np.ndarray = np.round(A / unit) * unit
    return result


class Net(SigmoidNet):
    """The oracle network, with the verdicts the service gives its claims."""

    def verdicts(self, claims: list[np.ndarray]) -> list[tuple[str, int | None, float | None]]:
        weights, _ = diagnose(self.layers, self.X, self.Y, claims)
        return [(d.verdict, d.rounded_to, d.factor) for d in weights]


def far(A: np.ndarray, B: np.ndarray) -> bool:
    """A is not B even at 2 significant digits: some entry beyond half a unit of B's 2nd digit."""
    return A.shape != B.shape or not bool(np.all(entries_within(A, B, 2)))


def carried(claims: list[np.ndarray], d: int) -> list[int | None]:
    """The digits each rounded claim carries: d, or fewer when rounding left trailing zeros in every entry."""
    found = [digits(C) for C in claims]
    assert all(f is not None and f <= d for f in found)
    return found


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_the_true_gradient_rounded_is_correct_and_says_to_how_many_digits(seed: int, d: int) -> None:
    net = Net(seed)
    claims = [rounded(T, d) for T in net.gradients()]
    verdicts = net.verdicts(claims)
    assert [v[0] for v in verdicts] == ["correct", "correct"]
    assert [v[1] for v in verdicts] == [max(c or 2, 2) for c in carried(claims, d)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_a_flipped_sign_rounded_is_sign_flipped(seed: int, d: int) -> None:
    net = Net(seed)
    assert all(far(-T, T) for T in net.gradients())
    verdicts = net.verdicts([rounded(-T, d) for T in net.gradients()])
    assert [v[:1] + v[2:] for v in verdicts] == [("sign_flipped", -1.0)] * 2
    assert all(v[1] is not None and v[1] >= d - 1 for v in verdicts)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_a_transposed_claim_rounded_is_transposed(seed: int, d: int) -> None:
    square = Net(seed, sizes=(3, 3, 2))
    T1, T2 = square.gradients()
    assert far(T1.T, T1)  # not symmetric, even at 2 digits
    assert [v[0] for v in square.verdicts([rounded(T1.T, d), rounded(T2.T, d)])] == ["transposed", "transposed"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
@pytest.mark.parametrize("factor", [2.0, 0.5, 0.2, -2.0, 3.7])
def test_a_scaled_claim_rounded_is_scaled_with_its_factor(seed: int, d: int, factor: float) -> None:
    net = Net(seed, m=5)
    claims = [rounded(factor * T, d) for T in net.gradients()]
    verdicts = net.verdicts(claims)
    assert [v[0] for v in verdicts] == ["scaled", "scaled"]
    for _, _, alpha in verdicts:
        assert alpha is not None
        if factor in (2.0, 0.5, 0.2, -2.0):  # usual causes: ½ dropped, ½ too many, a mean over m = 5, sign and ½
            assert alpha == factor
        else:
            assert alpha == pytest.approx(factor, rel=0.5 * 10 ** (1 - d))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_a_missing_output_derivative_rounded_is_named(seed: int, d: int) -> None:
    net = Net(seed)
    wrong = net.gradients(output_derivative=False)
    assert all(far(W, T) for W, T in zip(wrong, net.gradients(), strict=True))
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(W, d) for W in wrong])
    assert [(w.verdict, w.missing_at_layer) for w in weights] == [("missing_activation_derivative", 2)] * 2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_a_missing_hidden_derivative_rounded_is_named(seed: int, d: int) -> None:
    net = Net(seed)
    wrong, true = net.gradients(hidden_derivative=False), net.gradients()
    assert far(wrong[0], true[0])
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(W, d) for W in wrong])
    assert [(w.verdict, w.missing_at_layer) for w in weights] == [
        ("missing_activation_derivative", 1),
        ("correct", None),
    ]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIGITS)
def test_an_incorrect_claim_rounded_lists_its_wrong_entries(seed: int, d: int) -> None:
    net = Net(seed)
    T1, T2 = net.gradients()
    claim = T1.copy()
    claim[1, 2] += 10 * np.abs(T1).max()
    claim[2, 0] = -7 * claim[2, 0] + np.abs(T1).max()
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(claim, d), rounded(T2, d)])
    first = weights[0]
    assert (first.verdict, weights[1].verdict) == ("incorrect", "correct")
    assert first.rounded_to is None
    assert first.worst_index == (1, 2)
    assert [entry.index for entry in first.wrong] == [(1, 2), (2, 0)]
    assert first.wrong_count == 2
    for entry in first.wrong:
        assert entry.expected == pytest.approx(T1[entry.index], rel=1e-12)
        assert entry.claimed == rounded(claim, d)[entry.index]


def test_the_wrong_entries_are_capped() -> None:
    rng = np.random.default_rng(7)
    layers = [Layer(W=rng.normal(size=(8, 6))), Layer(W=rng.normal(size=(6, 1)))]
    X, Y = rng.normal(size=(4, 8)), rng.uniform(size=(4, 1))
    claim = rng.normal(size=(8, 6))  # unrelated to the gradient
    weights, _ = diagnose(layers, X, Y, [claim, np.zeros((6, 1))])
    assert weights[0].verdict == "incorrect"
    assert len(weights[0].wrong) == MAX_WRONG < weights[0].wrong_count
    assert [entry.index for entry in weights[0].wrong] == sorted(entry.index for entry in weights[0].wrong)


def test_a_full_precision_claim_matches_within_rtol_only() -> None:
    net = Net(0)
    verdicts = net.verdicts([T * (1 + 1e-9) for T in net.gradients()])
    assert verdicts == [("correct", None, 1.0)] * 2
    assert [v[0] for v in net.verdicts([T * 1.01 for T in net.gradients()])] == ["scaled", "scaled"]


def test_a_truncated_claim_is_correct_to_one_digit_fewer() -> None:
    net = Net(1)
    claims = [np.trunc(T / 10.0 ** (np.floor(np.log10(np.abs(T))) - 3)) for T in net.gradients()]
    truncated = [C * 10.0 ** (np.floor(np.log10(np.abs(T))) - 3) for C, T in zip(claims, net.gradients(), strict=True)]
    assert [v[0] for v in net.verdicts(truncated)] == ["correct", "correct"]


@pytest.mark.parametrize("claim", [1e-310, 5e-324, 1e308, -1.7e308])
def test_a_claim_at_the_ends_of_float64_is_judged_without_a_floating_point_warning(claim: float) -> None:
    """Hostile numbers (a subnormal, the largest floats) in every quantity are wrong, and grading them (with
    error carried forward) raises no warning."""
    X, W, Y = np.array([[0.3]]), np.array([[0.5]]), np.array([[0.9]])
    value = np.array([[claim]])
    given = LayerAnswer(pre_activation=value, delta=value, weights_gradient=value)
    graded = grade([Layer(W=W)], X, Y, Answer(loss=np.array(claim), output=value, layers=(given,)))
    assert [g.verdict for g in graded] == ["incorrect"] * 5
