"""gradcore.gradcheck.check: the central-difference check, its relative error, its ratings and the relu kinks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import gradcore.gradcheck.check
from gradcore import GradcoreError, Gradients, Layer, backward, forward, parameter_count
from gradcore.gradcheck.check import check_gradients

U = 2.0**-52


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def relative_errors(analytic: np.ndarray, numerical: np.ndarray, tiny: float) -> np.ndarray:
    """|a − n| / max(|a|, |n|, floor), written out."""
    return np.abs(analytic - numerical) / np.maximum(np.maximum(np.abs(analytic), np.abs(numerical)), tiny)


def seed_case_6(seed: int) -> tuple[list[Layer], np.ndarray, np.ndarray]:
    """The seed's case 6: n → h → k sigmoid, a batch, L = Σ ½ (y − ŷ)²."""
    rng = np.random.default_rng(seed)
    n, h, k, m = 3, 4, 2, 5
    layers = [Layer(W=rng.normal(size=(n, h))), Layer(W=rng.normal(size=(h, k)))]
    return layers, rng.normal(size=(m, n)), rng.uniform(size=(m, k))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numerical_gradient_is_the_seed_formula(seed: int) -> None:
    layers, X, Y = seed_case_6(seed)
    W1, W2 = layers[0].W, layers[1].W
    l1 = sig(X @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)

    check = check_gradients(layers, X, Y)

    assert check.loss == pytest.approx(0.5 * np.sum((Y - y_hat) ** 2), rel=1e-13)
    for layer, expected in zip(check.layers, (X.T @ delta1, l1.T @ delta2), strict=True):
        np.testing.assert_allclose(layer.analytic_dW, expected, rtol=1e-12)
        np.testing.assert_allclose(layer.numerical_dW, expected, rtol=1e-6, atol=1e-9)
        assert layer.numerical_db is None
        assert layer.analytic_db is None
        assert layer.kinks == 0
        assert layer.rating == "fine"
        assert layer.passed
    assert check.passed


def test_errors_follow_the_documented_definitions() -> None:
    layers, X, Y = seed_case_6(3)
    layers[1] = replace(layers[1], b=np.array([0.3, -0.2]))
    check = check_gradients(layers, X, Y, epsilon=1e-5)
    assert check.epsilon == 1e-5
    assert check.roundoff > 0.0
    for layer in check.layers:
        analytic, numerical = [layer.analytic_dW.ravel()], [layer.numerical_dW.ravel()]
        if layer.analytic_db is not None:
            assert layer.numerical_db is not None
            analytic.append(layer.analytic_db)
            numerical.append(layer.numerical_db)
        a, n = np.concatenate(analytic), np.concatenate(numerical)
        assert layer.max_abs_error == np.max(np.abs(a - n))
        worst = layer.worst
        assert worst is not None
        at = worst.index if worst.parameter == "W" else (layer.analytic_dW.size + worst.index[0],)
        i = np.ravel_multi_index(at, layer.analytic_dW.shape) if worst.parameter == "W" else at[0]
        assert (worst.analytic, worst.numerical) == (a[i], n[i])
        # E: twice the truncation estimate plus the round-off of the two losses over the step
        assert worst.expected_error >= 2 * check.roundoff / 1e-5
        assert worst.relative_error == pytest.approx(
            abs(a[i] - n[i]) / max(abs(a[i]), abs(n[i]), worst.expected_error), rel=1e-12
        )
        assert worst.unexplained_error == max(0.0, abs(a[i] - n[i]) - worst.expected_error) / max(
            abs(a[i]), abs(n[i]), worst.expected_error
        )
        assert layer.max_relative_error >= worst.relative_error
        assert layer.max_unexplained_error == worst.unexplained_error == 0.0  # a correct gradient
        assert (layer.failing, layer.failing_count) == ((), 0)
    assert check.layers[0].numerical_db is None
    assert check.layers[1].numerical_db is not None
    np.testing.assert_allclose(check.layers[1].numerical_db, backward(layers, forward(layers, X), Y).db[1], rtol=1e-6)


@pytest.mark.parametrize(
    ("activations", "loss_name"),
    [
        (["tanh", "softmax"], "cross_entropy"),
        (["relu", "sigmoid"], "binary_cross_entropy"),
        (["sigmoid", "linear"], "mean_squared_error"),
        (["tanh", "softmax"], "half_squared_error"),
    ],
)
def test_backpropagation_passes_for_every_kind_of_network(activations: list[str], loss_name: str) -> None:
    rng = np.random.default_rng(11)
    layers = [
        Layer(W=rng.normal(size=(3, 4)), activation=activations[0], b=rng.normal(size=4)),
        Layer(W=rng.normal(size=(4, 3)), activation=activations[1], b=rng.normal(size=3)),
    ]
    X = rng.normal(size=(4, 3))
    Y = rng.dirichlet(np.ones(3), size=4)
    check = check_gradients(layers, X, Y, loss_name)
    assert check.passed
    assert [layer.rating for layer in check.layers] == ["fine", "fine"]


@pytest.mark.parametrize(
    ("relative_change", "rating"), [(0.0, "fine"), (1e-6, "acceptable"), (1e-3, "problem"), (-2.0, "problem")]
)
def test_a_wrong_analytic_gradient_is_rated(
    monkeypatch: pytest.MonkeyPatch, relative_change: float, rating: str
) -> None:
    """Corrupt backpropagation's ∂L/∂W_2 (−2 turns it into −∂L/∂W_2): the check must notice, layer 1 stays fine."""

    def corrupted(*args: object) -> Gradients:
        grads: Gradients = backward(*args)  # type: ignore[arg-type]
        dW = (grads.dW[0], grads.dW[1] * (1.0 + relative_change))
        return replace(grads, dW=dW)

    monkeypatch.setattr(gradcore.gradcheck.check, "backward", corrupted)
    layers, X, Y = seed_case_6(4)
    Y = Y * 10.0  # large errors, so that ∂L/∂W_2 is well above tiny and its relative error is what it seems
    check = check_gradients(layers, X, Y)
    assert check.layers[0].rating == "fine"
    assert check.layers[1].rating == rating
    assert check.passed is (rating != "problem")
    assert check.layers[1].max_relative_error == pytest.approx(
        abs(relative_change) / max(1.0, abs(1.0 + relative_change)), rel=0.01, abs=1e-8
    )
    worst = check.layers[1].worst
    assert worst is not None
    assert worst.parameter == "W"
    if rating == "problem":
        assert check.layers[1].failing_count == check.layers[1].analytic_dW.size == len(check.layers[1].failing)
        assert worst.relative_error == pytest.approx(
            abs(relative_change) / max(1.0, abs(1.0 + relative_change)), rel=0.01
        )


def test_relu_kinks_are_counted_and_left_out() -> None:
    """z_1 = x · W_1 + b_1 has an entry exactly at 0: moving W_1[:, 0] or b_1[0] by ±ε crosses the kink."""
    layers = [
        Layer(W=np.array([[1.0, 0.5], [1.0, 0.2]]), activation="relu", b=np.array([0.0, 0.1])),
        Layer(W=np.array([[2.0], [-1.0]]), activation="linear"),
    ]
    X, Y = np.array([[1.0, -1.0]]), np.array([[3.0]])
    assert forward(layers, X).Z[0][0, 0] == 0.0

    check = check_gradients(layers, X, Y)

    first = check.layers[0]
    assert first.kinks == 3
    assert check.layers[1].kinks == 0
    assert check.kinks == 3
    assert check.passed
    # Across the kink the difference measures half the slope of the active side: far from relu′(0) = 0.
    at_kink = np.array([first.numerical_dW[0, 0], first.numerical_dW[1, 0]])
    assert np.all(relative_errors(first.analytic_dW[:, 0], at_kink, 1e-300) > 1e-2)
    assert first.numerical_db is not None
    away = np.array([first.numerical_dW[0, 1], first.numerical_dW[1, 1], first.numerical_db[1]])
    assert first.analytic_db is not None
    expected = np.array([first.analytic_dW[0, 1], first.analytic_dW[1, 1], first.analytic_db[1]])
    assert first.max_abs_error == np.max(np.abs(away - expected))


def test_a_layer_made_only_of_kinks_has_no_errors() -> None:
    layers = [Layer(W=np.array([[1.0], [1.0]]), activation="relu"), Layer(W=np.array([[2.0]]), activation="linear")]
    check = check_gradients(layers, np.array([[1.0, -1.0]]), np.array([[1.0]]))
    assert check.layers[0].kinks == 2
    assert (check.layers[0].max_abs_error, check.layers[0].max_relative_error) == (0.0, 0.0)
    assert check.layers[0].rating == "fine"


@pytest.mark.parametrize("epsilon", [0.0, -1e-6, float("nan"), float("inf")])
def test_epsilon_must_be_positive(epsilon: float) -> None:
    layers, X, Y = seed_case_6(0)
    with pytest.raises(GradcoreError) as info:
        check_gradients(layers, X, Y, epsilon=epsilon)
    assert info.value.problems[0].location == ("epsilon",)


def test_parameter_count() -> None:
    layers = [Layer(W=np.ones((3, 4)), b=np.ones(4)), Layer(W=np.ones((4, 2)))]
    assert parameter_count(layers) == 3 * 4 + 4 + 4 * 2


def test_a_step_that_vanishes_next_to_a_weight_is_an_error() -> None:
    """1e10 ± 1e-10 rounds to 1e10: the difference would be 0 / 0."""
    layers = [Layer(W=np.array([[1e10], [0.5]]))]
    with pytest.raises(GradcoreError) as info:
        check_gradients(layers, np.array([[1e-12, 1.0]]), np.array([[0.5]]), epsilon=1e-10)
    assert info.value.problems[0].location == ("epsilon",)
    assert "vanishes" in info.value.problems[0].message
