"""Grading a partial answer: every mistake at every layer, rounding, error carried forward, the abuse guard.

The answers are built here in numpy from the seed's formulas (a 3-layer sigmoid network, m = 4), not from
gradcore's passes: the true values, the mistakes, and the values that follow from a learner's wrong ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradcore import Layer
from gradcore.teaching.answers import Answer, LayerAnswer
from gradcore.teaching.comparison import Comparison
from gradcore.teaching.grading import grade
from gradcore.teaching.scoring import credit


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def written(x: Any, d: int = 4) -> np.ndarray:
    return np.vectorize(lambda v: float(f"{v:.{d - 1}e}"))(np.asarray(x, dtype=float))


class Oracle:
    """z_k, l_k, ŷ, L, Δ_k, ∂L/∂W_k of a 3-layer sigmoid network, half squared error, in numpy."""

    def __init__(self, seed: int = 3) -> None:
        rng = np.random.default_rng(seed)
        self.Ws = [rng.normal(size=s) for s in ((3, 4), (4, 3), (3, 2))]
        self.X, self.Y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
        self.m = 4
        self.z, self.l = [], [self.X]
        for W in self.Ws:
            self.z.append(self.l[-1] @ W)
            self.l.append(sig(self.z[-1]))
        self.y_hat = self.l[3]
        self.loss = 0.5 * float(np.sum((self.Y - self.y_hat) ** 2))
        self.delta = {3: (self.y_hat - self.Y) * self.y_hat * (1 - self.y_hat)}
        for k in (2, 1):
            self.delta[k] = self.step(self.delta[k + 1], k)
        self.dW = {k: self.l[k - 1].T @ self.delta[k] for k in (1, 2, 3)}

    def step(self, delta_next: np.ndarray, k: int, derivative: bool = True) -> np.ndarray:
        """Δ_k from Δ_{k+1}: (Δ_{k+1} · W_{k+1}ᵀ) * σ′(z_k)."""
        product = delta_next @ self.Ws[k].T
        return product * self.l[k] * (1 - self.l[k]) if derivative else product

    @property
    def layers(self) -> list[Layer]:
        return [Layer(W=W) for W in self.Ws]

    def full(self, d: int = 4, **changes: Any) -> dict[str, Any]:
        """Every quantity written to d digits, with ``changes`` (e.g. ``delta_2=...``) in place of the true ones."""
        values: dict[str, Any] = {"loss": self.loss, "output": self.y_hat}
        for k in (1, 2, 3):
            values |= {f"z_{k}": self.z[k - 1], f"l_{k}": self.l[k], f"delta_{k}": self.delta[k]}
            values[f"dW_{k}"] = self.dW[k]
        values |= changes
        return {key: None if value is None else written(value, d) for key, value in values.items()}

    def grade(self, values: dict[str, Any], carry_forward: bool = True) -> dict[str, tuple[str, tuple[str, ...], bool]]:
        layers = tuple(
            LayerAnswer(
                pre_activation=values.get(f"z_{k}"),
                activation=values.get(f"l_{k}"),
                delta=values.get(f"delta_{k}"),
                weights_gradient=values.get(f"dW_{k}"),
            )
            for k in (1, 2, 3)
        )
        answer = Answer(loss=values.get("loss"), output=values.get("output"), layers=layers)
        graded = grade(self.layers, self.X, self.Y, answer, carry_forward=carry_forward)
        return {entry.symbol: (entry.verdict, entry.mistakes, entry.carried_forward) for entry in graded}


NET = Oracle()
CORRECT = ("correct", (), False)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_rounding_to_2_to_4_digits_is_correct_everywhere(d: int) -> None:
    verdicts = NET.grade(NET.full(d))
    assert len(verdicts) == 3 * 4 + 1  # z, l, Δ, ∂L/∂W per layer (l_3 is ŷ), and L
    assert set(verdicts.values()) == {CORRECT}


def mistaken(k: int, mistake: str) -> tuple[dict[str, Any], tuple[str, tuple[str, ...], bool]]:
    """A full answer whose ∂L/∂W_k has ``mistake``, and that quantity's expected grade."""
    T = NET.dW[k]
    if mistake == "sign_flipped":
        return NET.full(**{f"dW_{k}": -T}), ("sign_flipped", ("sign_flipped",), False)
    if mistake == "transposed":
        return NET.full(**{f"dW_{k}": T.T}), ("transposed", ("transposed",), False)
    if mistake == "scaled":
        return NET.full(**{f"dW_{k}": T / NET.m}), ("scaled", ("scaled",), False)
    if mistake == "one_wrong_entry":
        C = T.copy()
        C[0, 1] += 0.5 + np.max(np.abs(T))
        return NET.full(**{f"dW_{k}": C}), ("incorrect", ("one_wrong_entry",), False)
    # σ′ left out in Δ_k, carried into ∂L/∂W_k: Δ_k is missing its derivative, ∂L/∂W_k follows from it
    delta = NET.y_hat - NET.Y if k == 3 else NET.step(NET.delta[k + 1], k, derivative=False)
    return NET.full(**{f"delta_{k}": delta, f"dW_{k}": NET.l[k - 1].T @ delta}), (
        "missing_activation_derivative",
        ("missing_activation_derivative",),
        False,
    )


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("mistake", ["sign_flipped", "transposed", "scaled", "one_wrong_entry"])
def test_every_mistake_in_every_weights_gradient(k: int, mistake: str) -> None:
    values, expected = mistaken(k, mistake)
    values = {key: value for key, value in values.items() if not key.startswith("delta") or key == f"delta_{k}"}
    verdicts = NET.grade(values)
    assert verdicts[f"∂L/∂W_{k}"] == expected
    assert {symbol: v for symbol, v in verdicts.items() if symbol != f"∂L/∂W_{k}"} == dict.fromkeys(
        [s for s in verdicts if s != f"∂L/∂W_{k}"], CORRECT
    )


@pytest.mark.parametrize("k", [1, 2, 3])
def test_missing_derivative_in_delta_and_its_weights_gradient_carried(k: int) -> None:
    values, expected = mistaken(k, "missing_activation_derivative")
    values = {key: value for key, value in values.items() if not key.startswith("delta") or key == f"delta_{k}"}
    verdicts = NET.grade(values)
    assert verdicts[f"Δ_{k}"] == expected
    assert verdicts[f"∂L/∂W_{k}"] == ("correct", (), True)
    for j in range(1, k):  # the ∂L/∂W_j below: from Δ_j, not answered, so from the true Δ_j
        assert verdicts[f"∂L/∂W_{j}"] == CORRECT


@pytest.mark.parametrize("k", [2, 3])
def test_a_wrong_delta_carried_through_two_later_quantities(k: int) -> None:
    wrong = -NET.delta[k]
    below = NET.step(wrong, k - 1)
    changes = {f"delta_{k}": wrong, f"delta_{k - 1}": below, f"dW_{k - 1}": NET.l[k - 2].T @ below}
    verdicts = NET.grade(NET.full(**changes))
    assert verdicts[f"Δ_{k}"] == ("sign_flipped", ("sign_flipped",), False)
    assert verdicts[f"Δ_{k - 1}"] == ("correct", (), True)
    assert verdicts[f"∂L/∂W_{k - 1}"] == ("correct", (), True)
    off = NET.grade(NET.full(**changes), carry_forward=False)
    assert off[f"Δ_{k - 1}"][0] != "correct"
    assert off[f"∂L/∂W_{k - 1}"][0] != "correct"


def test_a_wrong_forward_value_carried_through_two_later_quantities() -> None:
    z1 = NET.z[0] * 1.5
    l1 = sig(z1)
    z2 = l1 @ NET.Ws[1]
    verdicts = NET.grade({"z_1": written(z1), "l_1": written(l1), "z_2": written(z2)})
    assert verdicts["z_1"][0] != "correct"
    assert verdicts["l_1"] == ("correct", (), True)
    assert verdicts["z_2"] == ("correct", (), True)


def test_a_trivial_earlier_answer_carries_no_credit() -> None:
    """ŷ copied from Y makes Δ_3 = 0 and L = 0; Δ_3 = 0 makes Δ_2 = 0: none is credited."""
    zeros = np.zeros_like(NET.delta[3])
    verdicts = NET.grade({"output": NET.Y, "loss": np.array(0.0), "delta_3": zeros, "delta_2": np.zeros((4, 3))})
    assert verdicts["ŷ"][0] == "incorrect"
    assert verdicts["L"][:1] != ("correct",)
    assert not verdicts["Δ_3"][2]
    assert verdicts["Δ_3"][0] != "correct"
    assert not verdicts["Δ_2"][2]
    assert verdicts["Δ_2"][0] != "correct"


def test_only_the_answered_quantities_are_graded_in_the_order_of_the_computation() -> None:
    values = {"dW_1": written(NET.dW[1]), "delta_3": written(NET.delta[3]), "z_2": written(NET.z[1])}
    assert list(NET.grade(values)) == ["z_2", "Δ_3", "∂L/∂W_1"]


def test_bias_gradients_are_graded_and_carried_from_the_learners_delta() -> None:
    """∂L/∂b_k = Σ_rows Δ_k: right, sign flipped, and right given a wrong Δ_k (a 2-layer net with biases)."""
    rng = np.random.default_rng(8)
    W1, b1, W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    l1 = sig(X @ W1 + b1)
    y_hat = sig(l1 @ W2 + b2)
    delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    wrong1 = 2 * delta1
    answer = Answer(
        layers=(
            LayerAnswer(delta=written(wrong1), bias_gradient=written(wrong1.sum(axis=0))),
            LayerAnswer(bias_gradient=written(-delta2.sum(axis=0))),
        )
    )
    layers = [Layer(W=W1, b=b1), Layer(W=W2, b=b2)]
    graded = {g.symbol: g for g in grade(layers, X, Y, answer)}
    assert graded["Δ_1"].verdict == "scaled"
    assert (graded["∂L/∂b_1"].verdict, graded["∂L/∂b_1"].carried_forward) == ("correct", True)
    assert graded["∂L/∂b_2"].mistakes == ("sign_flipped",)
    np.testing.assert_allclose(graded["∂L/∂b_1"].expected, delta1.sum(axis=0), rtol=1e-12)


def test_a_copied_given_carries_no_credit() -> None:
    """Δ_3 written as a copy of Y (the same shape, m × n_3): the Δ_2 that follows from it is not credited."""
    copied = NET.Y
    verdicts = NET.grade({"delta_3": written(copied, 6), "delta_2": written(NET.step(copied, 2), 6)})
    assert verdicts["Δ_3"][0] != "correct"
    assert verdicts["Δ_2"][0] != "correct"
    assert not verdicts["Δ_2"][2]
    own = NET.grade({"delta_3": written(2 * NET.delta[3]), "delta_2": written(NET.step(2 * NET.delta[3], 2))})
    assert own["Δ_2"] == ("correct", (), True)  # the same step from a wrong Δ_3 that is no copy: credited


@pytest.mark.parametrize("alpha", [3.7, -3.7])
def test_an_unusual_factor_is_scaled_with_its_sign(alpha: float) -> None:
    verdicts = NET.grade({"dW_2": written(alpha * NET.dW[2])})
    expected = ("sign_flipped", "scaled") if alpha < 0 else ("scaled",)
    assert verdicts["∂L/∂W_2"] == ("scaled", expected, False)


@pytest.mark.parametrize(("mode", "digits", "right"), [("sigfig", 3, True), ("sigfig", 5, False), ("decdig", 7, False)])
def test_the_comparison_rule_decides_what_is_right(mode: str, digits: int, right: bool) -> None:
    """Values written to 4 significant digits: right to 3 significant figures, not to 5, nor to 7 decimals."""
    values = NET.full(4)
    layers = (LayerAnswer(weights_gradient=values["dW_1"]),)
    graded = grade(NET.layers, NET.X, NET.Y, Answer(layers=layers), comparison=Comparison(mode, digits=digits))
    assert (graded[0].verdict == "correct") == right
    if not right:
        assert graded[0].wrong_count > 0


def test_a_sum_carried_from_a_wrong_delta_is_credited_however_the_learner_rounded() -> None:
    """∂L/∂b_1 = Σ_rows Δ_1 and ∂L/∂W_1 = Xᵀ · Δ_1 from a sign-flipped Δ_1 whose rows nearly cancel.

    One layer, linear, a bias, X = [1, 1]ᵀ, W = 1, b = 0: Δ_1 = ŷ − y = [1.23456, −1.23111]ᵀ. The learner
    writes −Δ_1 to 4 digits, [−1.235, 1.231]ᵀ, whose sum is −0.004; the sum of their unrounded values is
    −0.00345. Either is right given their own Δ_1 (each written number stands for ± 0.0005), a sum beyond
    that is not.
    """
    X, W, b = np.array([[1.0], [1.0]]), np.array([[1.0]]), np.array([0.0])
    delta = np.array([[1.23456], [-1.23111]])
    Y = X @ W + b - delta
    own = -delta
    layers = [Layer(W=W, b=b, activation="linear")]
    for total, carried in [(own.sum(), True), (written(own).sum(), True), (-0.0060, False)]:
        given = LayerAnswer(delta=written(own), weights_gradient=np.array([[total]]), bias_gradient=np.array([total]))
        graded = {g.symbol: g for g in grade(layers, X, Y, Answer(layers=(given,)))}
        assert graded["Δ_1"].mistakes == ("sign_flipped",)
        for symbol in ("∂L/∂W_1", "∂L/∂b_1"):
            assert (graded[symbol].verdict == "correct", graded[symbol].carried_forward) == (carried, carried), total


def test_right_earlier_values_of_few_digits_leave_no_room_for_a_later_mistake() -> None:
    """A linear first layer gives l_1 = X · W_1 exactly, in two digits; ∂L/∂W_2 = l_1ᵀ · Δ_2 transposed is still
    ``transposed``, and the one computed from the learner's own 4-digit Δ_2 is ``correct`` (softmax, cross-entropy)."""
    X, Y = np.array([[0.3], [0.9], [-0.7]]), np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    W1, W2 = np.array([[0.5, -0.6]]), np.array([[-0.5, 0.3], [-0.9, 0.9]])
    l1 = X @ W1
    z2 = l1 @ W2
    y_hat = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    delta2 = (y_hat - Y) / 3
    layers = [Layer(W=W1, activation="linear"), Layer(W=W2, activation="softmax")]
    for claim, verdict in [(written(l1.T @ delta2).T, "transposed"), (l1.T @ written(delta2), "correct")]:
        answer = Answer(layers=(LayerAnswer(activation=l1), LayerAnswer(delta=written(delta2), weights_gradient=claim)))
        graded = {g.symbol: g for g in grade(layers, X, Y, answer, "cross_entropy")}
        assert graded["Δ_2"].verdict == "correct"
        assert graded["∂L/∂W_2"].verdict == verdict


def test_a_single_wrong_number_is_incorrect_not_scaled_by_any_factor() -> None:
    """Case 1 of the series (one input, one output): every number is a multiple of T = (ŷ − y) ŷ (1 − ŷ) x, so
    only the usual factors (2: the ½ dropped) are ``scaled``; any other wrong number is ``incorrect``, credit 0."""
    X, W, Y = np.array([[0.3]]), np.array([[0.5]]), np.array([[0.9]])
    y_hat = sig(X @ W)
    delta = (y_hat - Y) * y_hat * (1 - y_hat)
    for factor, verdict in [(2.0, "scaled"), (37.0, "incorrect"), (-0.3, "incorrect")]:
        claim = written(factor * delta)
        answer = Answer(layers=(LayerAnswer(delta=claim, weights_gradient=claim * X),))
        graded = {g.symbol: g for g in grade([Layer(W=W)], X, Y, answer, carry_forward=False)}
        assert graded["Δ_1"].verdict == verdict
        assert graded["∂L/∂W_1"].verdict == verdict
        assert credit(graded["Δ_1"]) == (0.5 if verdict == "scaled" else 0.0)
