"""∂L/∂X = Δ_1 · W_1ᵀ against central finite differences of X and the seed's closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import gradcore
from gradcore import Layer, backward, forward
from gradcore.core.network import input_gradient

EPS = 1e-6


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def central_differences(layers: list[Layer], X: np.ndarray, Y: np.ndarray, name: str) -> np.ndarray:
    """(L(X + ε e_ij) − L(X − ε e_ij)) / (2ε) for every entry of X, with the forward pass and the loss only."""
    grad = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[index] += EPS
        down[index] -= EPS
        L_up = gradcore.loss(layers, forward(layers, up), Y, name)
        L_down = gradcore.loss(layers, forward(layers, down), Y, name)
        grad[index] = (L_up - L_down) / (up[index] - down[index])
    return grad


def grad_x(layers: list[Layer], X: np.ndarray, Y: np.ndarray, name: str = "half_squared_error") -> np.ndarray:
    return input_gradient(layers, backward(layers, forward(layers, X), Y, name))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_central_differences_of_a_batch(activation: str, bias: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = [3, 4, 2]
    layers = [
        Layer(W=rng.normal(size=(n[k], n[k + 1])), activation=activation, b=rng.normal(size=n[k + 1]) if bias else None)
        for k in range(2)
    ]
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    got = grad_x(layers, X, Y)
    assert got.shape == X.shape  # m × n_0
    np.testing.assert_allclose(got, central_differences(layers, X, Y, "half_squared_error"), rtol=1e-6, atol=1e-9)


def test_softmax_cross_entropy() -> None:
    rng = np.random.default_rng(3)
    layers = [
        Layer(W=rng.normal(size=(4, 3)), activation="tanh"),
        Layer(W=rng.normal(size=(3, 3)), activation="softmax"),
    ]
    X = rng.normal(size=(2, 4))
    Y = np.eye(3)[[0, 2]]
    numeric = central_differences(layers, X, Y, "cross_entropy")
    np.testing.assert_allclose(grad_x(layers, X, Y, "cross_entropy"), numeric, rtol=1e-6, atol=1e-9)


def test_seed_case_1_closed_form() -> None:
    """One input, one weight: L = ½ (y − σ(x w))², so ∂L/∂x = (ŷ − y) ŷ (1 − ŷ) w, the twin of ∂L/∂w."""
    x, w, y = 1.5, 0.5, 1.0
    y_hat = sigmoid(np.array(x * w))
    expected = (y_hat - y) * y_hat * (1 - y_hat) * w
    got = grad_x([Layer(W=np.array([[w]]))], np.array([[x]]), np.array([[y]]))
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(float(expected), rel=1e-12)


def test_seed_case_5_closed_form() -> None:
    """3 → 2 → 1: Δ_2 = (ŷ − y) ŷ (1 − ŷ), Δ_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1), ∂L/∂x = Δ_1 · W_1ᵀ (1 × 3)."""
    x = np.array([[1.0, 0.5, -1.5]])
    W1 = np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]])
    W2 = np.array([[0.7], [-0.3]])
    l1 = sigmoid(x @ W1)
    y_hat = sigmoid(l1 @ W2)
    delta2 = (y_hat - 1.0) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    # Written out entry by entry: ∂L/∂x_i = Σ_j Δ_1j W_1[i, j].
    expected = np.array([[sum(delta1[0, j] * W1[i, j] for j in range(2)) for i in range(3)]])
    got = grad_x([Layer(W=W1), Layer(W=W2)], x, np.array([[1.0]]))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_an_overflow_names_the_input_gradient() -> None:
    layers = [Layer(W=np.array([[1e300]]), activation="linear")]
    grads = gradcore.Gradients(loss=0.0, delta=(np.array([[1e300]]),), dW=(np.array([[0.0]]),), db=(None,))
    with pytest.raises(gradcore.NonFiniteError, match="∂L/∂X"):
        input_gradient(layers, grads)
