"""∂L/∂X with a square, non-symmetric W₁: Δ₁ · W₁ᵀ, not Δ₁ · W₁, checked by central differences."""

from __future__ import annotations

import numpy as np

from gradcore import Layer, backward, forward, input_gradient


def loss_of(X: np.ndarray, W1: np.ndarray, W2: np.ndarray, Y: np.ndarray) -> float:
    """L = Σ ½ (y − ŷ)² of a 2-layer sigmoid network, in numpy."""
    l1 = 1 / (1 + np.exp(-X @ W1))
    y_hat = 1 / (1 + np.exp(-l1 @ W2))
    return float(0.5 * np.sum((Y - y_hat) ** 2))


def test_input_gradient_with_a_square_non_symmetric_first_layer() -> None:
    rng = np.random.default_rng(11)
    W1 = rng.normal(size=(3, 3))
    W2 = rng.normal(size=(3, 2))
    X, Y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    assert np.max(np.abs(W1 - W1.T)) > 0.5
    layers = [Layer(W=W1), Layer(W=W2)]
    dX = input_gradient(layers, backward(layers, forward(layers, X), Y))
    h = 1e-6
    numerical = np.zeros_like(X)
    for i in np.ndindex(X.shape):
        plus, minus = X.copy(), X.copy()
        plus[i] += h
        minus[i] -= h
        numerical[i] = (loss_of(plus, W1, W2, Y) - loss_of(minus, W1, W2, Y)) / (2 * h)
    np.testing.assert_allclose(dX, numerical, rtol=1e-6, atol=1e-9)
    wrong = backward(layers, forward(layers, X), Y).delta[0] @ W1  # the mistake: W₁ instead of W₁ᵀ
    assert np.max(np.abs(wrong - numerical)) > 1e-3
