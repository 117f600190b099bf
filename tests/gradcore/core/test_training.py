"""Gradient descent, against a descent loop written out here from the seed's formulas."""

from __future__ import annotations

import numpy as np
import pytest

from gradcore import Layer, NonFiniteError, backward, forward, loss
from gradcore.core.errors import ParameterError
from gradcore.core.training import gradient_descent

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def seed_descent(
    W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray, Y: np.ndarray, eta: float, steps: int
) -> tuple[list[float], list[np.ndarray], np.ndarray]:
    """Two sigmoid layers with biases, L = Σ ½ (y − ŷ)², W_k ← W_k − η ∂L/∂W_k, written out."""
    history = []
    for _ in range(steps):
        l1 = sig(X @ W1 + b1)
        y_hat = sig(l1 @ W2 + b2)
        history.append(0.5 * np.sum((Y - y_hat) ** 2))
        delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
        delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
        W1, b1 = W1 - eta * X.T @ delta1, b1 - eta * delta1.sum(axis=0)
        W2, b2 = W2 - eta * l1.T @ delta2, b2 - eta * delta2.sum(axis=0)
    y_hat = sig(sig(X @ W1 + b1) @ W2 + b2)
    history.append(0.5 * np.sum((Y - y_hat) ** 2))
    return history, [W1, b1, W2, b2], y_hat


def xor_network() -> list[Layer]:
    return [
        Layer(np.array([[0.1, -0.2], [0.4, 0.3]]), b=np.array([-0.5, 0.2])),
        Layer(np.array([[0.7], [-0.3]]), b=np.array([0.0])),
    ]


def test_xor_follows_the_written_out_descent_and_learns() -> None:
    layers = xor_network()
    result = gradient_descent(layers, XOR_X, XOR_Y, learning_rate=2.0, steps=500)
    history, params, y_hat = seed_descent(
        layers[0].W,
        layers[0].b,
        layers[1].W,
        layers[1].b,
        XOR_X,
        XOR_Y,
        2.0,
        500,
    )
    assert len(result.loss_history) == 501
    np.testing.assert_allclose(result.loss_history, history, rtol=1e-9)
    trained = [result.layers[0].W, result.layers[0].b, result.layers[1].W, result.layers[1].b]
    for actual, expected in zip(trained, params, strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-9)
    np.testing.assert_allclose(result.output, y_hat, rtol=1e-9)
    assert result.loss_history[-1] < result.loss_history[0] / 50
    np.testing.assert_array_equal(np.round(result.output), XOR_Y)


def test_history_is_the_loss_after_t_steps() -> None:
    layers = [Layer(np.array([[0.3, -0.1], [0.2, 0.5]]), activation="tanh"), Layer(np.array([[0.4], [-0.6]]))]
    X, Y = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0], [0.0]])
    result = gradient_descent(layers, X, Y, "mean_squared_error", learning_rate=0.3, steps=3)
    current = layers
    for t in range(4):
        cache = forward(current, X)
        assert result.loss_history[t] == pytest.approx(loss(current, cache, Y, "mean_squared_error"), rel=1e-12)
        grads = backward(current, cache, Y, "mean_squared_error")
        current = [Layer(layer.W - 0.3 * dW, layer.activation) for layer, dW in zip(current, grads.dW, strict=True)]
    assert all(layer.b is None for layer in result.layers)
    assert [layer.activation for layer in result.layers] == ["tanh", "sigmoid"]


def test_the_defaults_are_eta_one_half_and_100_steps_and_the_input_is_untouched() -> None:
    layers = xor_network()
    before = [layer.W.copy() for layer in layers]
    result = gradient_descent(layers, XOR_X, XOR_Y)
    history, _, _ = seed_descent(layers[0].W, layers[0].b, layers[1].W, layers[1].b, XOR_X, XOR_Y, 0.5, 100)
    np.testing.assert_allclose(result.loss_history, history, rtol=1e-9)
    for layer, W in zip(layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)


def test_zero_steps_is_the_initial_loss() -> None:
    result = gradient_descent(xor_network(), XOR_X, XOR_Y, steps=0)
    cache = forward(xor_network(), XOR_X)
    assert result.loss_history == (loss(xor_network(), cache, XOR_Y),)


@pytest.mark.parametrize(
    ("learning_rate", "steps", "location"),
    [
        (0.0, 10, "learning_rate"),
        (-0.1, 10, "learning_rate"),
        (float("nan"), 10, "learning_rate"),
        (float("inf"), 10, "learning_rate"),
        (0.5, -1, "steps"),
    ],
)
def test_bad_parameters_are_parameter_errors(learning_rate: float, steps: int, location: str) -> None:
    with pytest.raises(ParameterError) as error:
        gradient_descent(xor_network(), XOR_X, XOR_Y, learning_rate=learning_rate, steps=steps)
    assert error.value.problems[0].location == (location,)


def test_divergence_names_the_learning_rate_and_the_step() -> None:
    layers = [Layer(np.array([[1.0]]), activation="linear")]
    with pytest.raises(NonFiniteError) as error:
        gradient_descent(layers, np.array([[10.0]]), np.array([[0.0]]), learning_rate=10.0, steps=10_000)
    (problem,) = error.value.problems
    assert problem.location == ("learning_rate",)
    assert "diverged at step" in problem.message
    assert "smaller learning rate" in problem.message


def test_an_initial_overflow_is_the_network_s_fault() -> None:
    layers = [Layer(np.array([[1e300]]), activation="linear"), Layer(np.array([[1e300]]), activation="linear")]
    with pytest.raises(NonFiniteError) as error:
        gradient_descent(layers, np.array([[10.0]]), np.array([[0.0]]))
    assert error.value.problems[0].location[0] == "layers"


def test_the_given_network_is_not_modified() -> None:
    """Descent updates its own copies in place: the caller's b_k keep their values too, and no array is shared."""
    layers = xor_network()
    before = [(layer.W.copy(), None if layer.b is None else layer.b.copy()) for layer in layers]
    result = gradient_descent(layers, XOR_X, XOR_Y, learning_rate=2.0, steps=3)
    for layer, (W, b) in zip(layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)
        assert layer.b is not None
        assert b is not None
        np.testing.assert_array_equal(layer.b, b)
    assert all(not np.shares_memory(a.W, b.W) for a, b in zip(layers, result.layers, strict=True))
