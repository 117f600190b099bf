"""gradcore.teaching.diagnosis: every verdict, on claims built from the seed's formulas and their usual mistakes."""

from __future__ import annotations

import numpy as np
import pytest
from sigmoid_net import SigmoidNet, sig

from gradcore import Layer, NonFiniteError, ShapeError
from gradcore.teaching.claims import claim_problems
from gradcore.teaching.diagnosis import RTOL, close, diagnose
from gradcore.teaching.mistakes import usual_causes


class Case6(SigmoidNet):
    """The series' case 6 (3 → 4 → 2 sigmoid, m = 5), its true gradients and the usual wrong ones, in numpy."""

    def __init__(self, seed: int = 0, m: int = 5) -> None:
        super().__init__(seed, m=m)

    def diagnose(self, claims: list[np.ndarray], **kwargs: object) -> list[str]:
        weights, _ = diagnose(self.layers, self.X, self.Y, claims, **kwargs)  # type: ignore[arg-type]
        return [d.verdict for d in weights]


def test_correct() -> None:
    case = Case6()
    weights, biases = diagnose(case.layers, case.X, case.Y, case.gradients())
    assert [d.verdict for d in weights] == ["correct", "correct"]
    assert biases == [None, None]
    for diagnosis, expected in zip(weights, case.gradients(), strict=True):
        np.testing.assert_allclose(diagnosis.expected, expected, rtol=1e-12)
        assert diagnosis.factor == 1.0
        assert diagnosis.max_abs_error < 1e-15


def test_values_rounded_to_4_digits_are_correct_and_5_percent_off_are_not() -> None:
    case = Case6()
    rounded = [np.array([[float(f"{v:.4g}") for v in row] for row in T]) for T in case.gradients()]
    assert case.diagnose(rounded) == ["correct", "correct"]
    off = [T.copy() for T in case.gradients()]
    off[1][0, 0] *= 1.05
    assert case.diagnose(off)[1] == "incorrect"


def test_sign_flipped() -> None:
    case = Case6()
    weights, _ = diagnose(case.layers, case.X, case.Y, [-T for T in case.gradients()])
    assert [d.verdict for d in weights] == ["sign_flipped", "sign_flipped"]
    assert [d.factor for d in weights] == [-1.0, -1.0]
    assert "(y − ŷ)" in weights[0].hint
    assert weights[1].max_abs_error == pytest.approx(2 * np.abs(case.gradients()[1]).max(), rel=1e-12)


def test_transposed() -> None:
    case = Case6()
    weights, _ = diagnose(case.layers, case.X, case.Y, [T.T for T in case.gradients()])
    assert [d.verdict for d in weights] == ["transposed", "transposed"]
    assert weights[0].max_abs_error < 1e-15
    assert "4 × 3" in weights[0].hint
    assert "3 × 4" in weights[0].hint


def test_transposed_square_matrix() -> None:
    rng = np.random.default_rng(3)
    layers = [Layer(W=rng.normal(size=(3, 3))), Layer(W=rng.normal(size=(3, 1)))]
    X, Y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 1))
    l1 = sig(X @ layers[0].W)
    y_hat = sig(l1 @ layers[1].W)
    delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
    dW1 = X.T @ ((delta2 @ layers[1].W.T) * l1 * (1 - l1))
    assert not close(dW1.T, dW1)
    weights, _ = diagnose(layers, X, Y, [dW1.T, l1.T @ delta2])
    assert [d.verdict for d in weights] == ["transposed", "correct"]


def test_a_transposed_shape_with_one_wrong_entry_names_both_mistakes_and_the_entry() -> None:
    case = Case6()
    claim = case.gradients()[0].T.copy()  # 4 × 3
    claim[3, 1] += 1.0
    weights, _ = diagnose(case.layers, case.X, case.Y, [claim, case.gradients()[1]])
    assert weights[0].verdict == "transposed"
    assert weights[0].mistakes == ("transposed", "one_wrong_entry")
    assert weights[0].worst_index == (3, 1)
    assert [entry.index for entry in weights[0].wrong] == [(3, 1)]
    assert weights[0].wrong[0].expected == pytest.approx(case.gradients()[0][1, 3], rel=1e-12)


def test_a_transposed_shape_that_is_wrong_anyway_is_incorrect_at_its_worst_entry() -> None:
    case = Case6()
    claim = case.gradients()[0].T.copy()  # 4 × 3
    claim[3, 1] += 1.0
    claim[0, 2] -= 2.0
    weights, _ = diagnose(case.layers, case.X, case.Y, [claim, case.gradients()[1]])
    assert weights[0].verdict == "incorrect"
    assert weights[0].worst_index == (0, 2)
    assert "W_1ᵀ" in weights[0].hint


@pytest.mark.parametrize(
    ("factor", "cause"), [(2.0, "the ½ of L = Σ ½ (y − ŷ)² dropped"), (0.2, "a mean over the m = 5 examples")]
)
def test_scaled(factor: float, cause: str) -> None:
    case = Case6()
    weights, _ = diagnose(case.layers, case.X, case.Y, [factor * T for T in case.gradients()])
    assert [d.verdict for d in weights] == ["scaled", "scaled"]
    assert weights[0].factor == pytest.approx(factor, rel=1e-12)
    assert cause in weights[0].hint


def test_missing_sigmoid_derivative_at_the_output_layer() -> None:
    case = Case6()
    weights, _ = diagnose(case.layers, case.X, case.Y, case.gradients(output_derivative=False))
    assert [d.verdict for d in weights] == ["missing_activation_derivative"] * 2
    assert [d.missing_at_layer for d in weights] == [2, 2]
    assert "σ′(z_2)" in weights[1].hint


def test_missing_sigmoid_derivative_at_the_hidden_layer() -> None:
    case = Case6()
    weights, _ = diagnose(case.layers, case.X, case.Y, case.gradients(hidden_derivative=False))
    assert [d.verdict for d in weights] == ["missing_activation_derivative", "correct"]
    assert weights[0].missing_at_layer == 1
    assert "Δ_1 = (Δ_2 · W_2ᵀ) * f′_1(z_1)" in weights[0].hint


def test_missing_output_derivative_with_one_example_and_output_is_not_called_scaled() -> None:
    """The seed's case 1: dropping σ′ only rescales by 1/σ′(z); the specific diagnosis wins."""
    x, w, y = 1.5, 0.5, 1.0
    y_hat = 1 / (1 + np.exp(-x * w))
    claim = np.array([[(y_hat - y) * x]])
    weights, _ = diagnose([Layer(W=np.array([[w]]))], np.array([[x]]), np.array([[y]]), [claim])
    assert weights[0].verdict == "missing_activation_derivative"


def test_incorrect_names_the_worst_entry() -> None:
    case = Case6()
    claims = case.gradients()
    claims[0] = claims[0] + np.random.default_rng(1).normal(scale=1e-3, size=claims[0].shape)
    claims[0][2, 3] += 0.5
    weights, _ = diagnose(case.layers, case.X, case.Y, claims)
    assert [d.verdict for d in weights] == ["incorrect", "correct"]
    assert weights[0].worst_index == (2, 3)
    assert weights[0].factor is None


def test_an_all_zero_claim_is_incorrect_not_scaled() -> None:
    case = Case6()
    assert case.diagnose([np.zeros((3, 4)), np.zeros((4, 2))]) == ["incorrect", "incorrect"]


def test_bias_verdicts() -> None:
    rng = np.random.default_rng(2)
    W1, b1, W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 1)), rng.normal(size=1)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 1))
    l1 = sig(X @ W1 + b1)
    y_hat = sig(l1 @ W2 + b2)
    delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    layers = [Layer(W=W1, b=b1), Layer(W=W2, b=b2)]
    claims = [X.T @ delta1, l1.T @ delta2]
    _, biases = diagnose(layers, X, Y, claims, [-delta1.sum(axis=0), delta2.mean(axis=0)])
    assert biases[0] is not None
    assert biases[1] is not None
    assert (biases[0].verdict, biases[1].verdict) == ("sign_flipped", "scaled")
    assert biases[1].factor == pytest.approx(1 / 5, rel=1e-12)
    _, biases = diagnose(layers, X, Y, claims, [None, delta2.sum(axis=0)])
    assert biases[0] is None
    assert biases[1] is not None
    assert biases[1].verdict == "correct"


def test_cross_entropy_output_has_no_derivative_to_forget() -> None:
    """With softmax and cross_entropy, Δ_L = (ŷ − y)/m has no f′_L: only the hidden layer's can be missing."""
    rng = np.random.default_rng(4)
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
    X, Y = rng.normal(size=(5, 3)), np.eye(3)[rng.integers(0, 3, size=5)]
    l1 = np.tanh(X @ W1)
    z2 = l1 @ W2
    y_hat = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    delta2 = (y_hat - Y) / 5
    layers = [Layer(W=W1, activation="tanh"), Layer(W=W2, activation="softmax")]
    hidden_missing = X.T @ (delta2 @ W2.T)
    weights, _ = diagnose(layers, X, Y, [hidden_missing, l1.T @ delta2], name="cross_entropy")
    assert [d.verdict for d in weights] == ["missing_activation_derivative", "correct"]
    assert "tanh′(z_1)" in weights[0].hint
    weights, _ = diagnose(
        layers, X, Y, [X.T @ ((delta2 @ W2.T) * (1 - l1**2)), 5 * l1.T @ delta2], name="cross_entropy"
    )
    assert [d.verdict for d in weights] == ["correct", "scaled"]


def test_a_looser_tolerance() -> None:
    case = Case6()
    claims = [T * 1.01 for T in case.gradients()]
    assert case.diagnose(claims) == ["scaled", "scaled"]
    assert case.diagnose(claims, rtol=0.02) == ["correct", "correct"]
    assert RTOL == 1e-3


def test_usual_causes() -> None:
    half = "half_squared_error"
    assert usual_causes(2.0, 1, 1, half, RTOL).startswith("the ½ of L = Σ ½ (y − ŷ)² dropped")
    assert usual_causes(-2.0, 1, 1, half, RTOL).startswith("the sign flipped and the ½")
    both = usual_causes(0.5, 2, 1, half, RTOL)
    assert "a ½ too many" in both
    assert "a mean over the m = 2 examples where L sums over them (1/2)" in both
    combined = usual_causes(0.5, 4, 1, half, RTOL)
    assert combined.startswith("a ½ too many, or the ½ of L")
    assert "and a mean over the m = 4 examples where L sums over them (1/4)" in combined
    assert "none of the usual causes" in usual_causes(1.5, 4, 1, half, RTOL)
    assert "none of the usual causes" in usual_causes(2.0, 1, 1, "cross_entropy", RTOL)
    mean = usual_causes(6.0, 2, 3, "mean_squared_error", RTOL)
    assert "a sum over the m·n_L = 6 entries of ŷ where L takes their mean (6)" in mean
    assert "the 2 of the derivative of (y − ŷ)²" in usual_causes(0.5, 2, 3, "mean_squared_error", RTOL)
    assert (
        usual_causes(5.0, 5, 3, "cross_entropy", RTOL) == "a sum over the m = 5 examples where L takes their mean (5)"
    )


def test_claim_problems() -> None:
    layers = [Layer(W=np.ones((3, 2)), b=np.ones(2)), Layer(W=np.ones((2, 1)))]
    assert claim_problems(layers, [np.ones((3, 2)), np.ones((1, 2))], [np.ones(2), None]) == []
    problems = claim_problems(layers, [np.ones((3, 2))])
    assert [p.location for p in problems] == [("claimed_gradients",)]
    assert "expected 2 matrices" in problems[0].message
    problems = claim_problems(layers, [np.ones((2, 2)), np.ones(2)], [np.ones(3), np.ones(1)])
    assert [p.location for p in problems] == [
        ("claimed_gradients", 0),
        ("claimed_gradients", 1),
        ("claimed_bias_gradients", 0),
        ("claimed_bias_gradients", 1),
    ]
    messages = [p.message for p in problems]
    assert "is 2 × 2 but W_1 is 3 × 2: expected 3 × 2" in messages[0]
    assert "or its transpose 2 × 3" in messages[0]
    assert "flat list of 2 numbers" in messages[1]
    assert "b_1 has 2 entries" in messages[2]
    assert "layer 2 has no bias" in messages[3]
    with pytest.raises(ShapeError):
        diagnose(layers, np.ones((1, 3)), np.ones((1, 1)), [np.ones((3, 3)), np.ones((2, 1))])


def test_a_claim_whose_error_overflows_is_a_non_finite_error() -> None:
    """A linear layer with x = 1e154, w = 0.1, y = 0: ∂L/∂w = x (ŷ − y) = 1e307; a claim of −1.79e308 is 1.9e308 off."""
    layers = [Layer(W=np.array([[0.1]]), activation="linear")]
    X, Y = np.array([[1e154]]), np.array([[0.0]])
    with pytest.raises(NonFiniteError) as info:
        diagnose(layers, X, Y, [np.array([[-1.79e308]])])
    assert info.value.problems[0].location == ("claimed_gradients", 0)
    weights, _ = diagnose(layers, X, Y, [np.array([[1.79e308]])])
    assert weights[0].verdict == "incorrect"  # α = 17.9 matches no usual cause; C · T overflows nothing here
    assert np.isfinite(weights[0].max_abs_error)


def test_sign_flipped_comes_before_transposed_for_an_antisymmetric_gradient() -> None:
    """One linear layer, X = I, Y = 0, W antisymmetric: ∂L/∂W = Xᵀ (XW − 0) = W, so −T = Tᵀ; the order decides."""
    W = np.array([[0.0, 2.0], [-2.0, 0.0]])
    layers = [Layer(W=W, activation="linear")]
    weights, _ = diagnose(layers, np.eye(2), np.zeros((2, 2)), [-W])
    assert weights[0].verdict == "sign_flipped"
    np.testing.assert_allclose(weights[0].expected, W, rtol=1e-15)
