"""The six worked cases of the seed series, checked against closed forms.

Each expected gradient is written out here, independently of gradcore, from
the formulas of the seed notes (sigmoid activations, no bias,
L = Σ ½ (y − ŷ)²). The networks are drawn with seeded random numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcore import Layer, backward, forward, loss

SEEDS = [0, 1, 2, 3, 4]
RTOL = 1e-12


def sig(u: np.ndarray) -> np.ndarray:
    """The logistic sigmoid, written out (inputs here are moderate, no overflow)."""
    return 1.0 / (1.0 + np.exp(-u))


def gradients(Ws: list[np.ndarray], X: np.ndarray, Y: np.ndarray):
    layers = [Layer(W=W) for W in Ws]
    return backward(layers, forward(layers, X), Y)


def half_squared_error(Ws: list[np.ndarray], X: np.ndarray, Y: np.ndarray) -> float:
    layers = [Layer(W=W) for W in Ws]
    return loss(layers, forward(layers, X), Y)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_1_scalar_input_scalar_output(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, w, y = rng.normal(), rng.normal(), rng.uniform()
    y_hat = 1.0 / (1.0 + math.exp(-x * w))
    expected = (y_hat - y) * y_hat * (1.0 - y_hat) * x

    g = gradients([np.array([[w]])], np.array([[x]]), np.array([[y]]))

    assert g.dW[0].shape == (1, 1)
    np.testing.assert_allclose(g.dW[0], [[expected]], rtol=RTOL)
    np.testing.assert_allclose(g.loss, 0.5 * (y - y_hat) ** 2, rtol=RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_2_n_inputs_one_output(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    x = rng.normal(size=(1, n))
    W = rng.normal(size=(n, 1))
    y = rng.uniform()
    y_hat = 1.0 / (1.0 + math.exp(-sum(x[0, i] * W[i, 0] for i in range(n))))
    common = (y_hat - y) * y_hat * (1.0 - y_hat)
    # ∂L/∂W_i = (ŷ − y) ŷ (1 − ŷ) x_i, i.e. xᵀ · ((ŷ − y) ŷ (1 − ŷ)), n × 1.
    expected = np.array([[common * x[0, i]] for i in range(n)])

    g = gradients([W], x, np.array([[y]]))

    assert g.dW[0].shape == (n, 1)
    np.testing.assert_allclose(g.dW[0], expected, rtol=RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_3_batch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 7)), int(rng.integers(1, 5))
    X = rng.normal(size=(m, n))
    W = rng.normal(size=(n, 1))
    Y = rng.uniform(size=(m, 1))
    Y_hat = sig(X @ W)
    expected = X.T @ ((Y_hat - Y) * Y_hat * (1.0 - Y_hat))

    g = gradients([W], X, Y)

    assert g.dW[0].shape == (n, 1)
    np.testing.assert_allclose(g.dW[0], expected, rtol=RTOL)
    # The batch gradient is the sum of the per-example gradients (the loss is a sum).
    per_example = sum(gradients([W], X[i : i + 1], Y[i : i + 1]).dW[0] for i in range(m))
    np.testing.assert_allclose(g.dW[0], per_example, rtol=RTOL, atol=1e-15 * np.abs(per_example).max())
    np.testing.assert_allclose(g.loss, 0.5 * np.sum((Y - Y_hat) ** 2), rtol=RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_4_one_hidden_node(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    x = rng.normal(size=(1, n))
    W1 = rng.normal(size=(n, 1))
    W2 = rng.normal(size=(1, 1))
    y = rng.uniform()
    # Scalars throughout: h = σ(x · w_1), ŷ = σ(h w_2).
    h = 1.0 / (1.0 + math.exp(-sum(x[0, i] * W1[i, 0] for i in range(n))))
    w2 = W2[0, 0]
    y_hat = 1.0 / (1.0 + math.exp(-h * w2))
    dL_dz2 = (y_hat - y) * y_hat * (1.0 - y_hat)
    expected_dW2 = np.array([[dL_dz2 * h]])
    # Chain rule through the 1 × 1 hidden activation: ∂L/∂z_1 = ∂L/∂z_2 · w_2 · h (1 − h).
    dL_dz1 = dL_dz2 * w2 * h * (1.0 - h)
    expected_dW1 = np.array([[dL_dz1 * x[0, i]] for i in range(n)])

    g = gradients([W1, W2], x, np.array([[y]]))

    np.testing.assert_allclose(g.dW[1], expected_dW2, rtol=RTOL)
    np.testing.assert_allclose(g.dW[0], expected_dW1, rtol=RTOL)
    np.testing.assert_allclose(g.delta[1], [[dL_dz2]], rtol=RTOL)
    np.testing.assert_allclose(g.delta[0], [[dL_dz1]], rtol=RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_5_two_hidden_nodes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    x = rng.normal(size=(1, n))
    W1 = rng.normal(size=(n, 2))
    W2 = rng.normal(size=(2, 1))
    Y = rng.uniform(size=(1, 1))
    l1 = sig(x @ W1)  # 1 × 2
    y_hat = sig(l1 @ W2)  # 1 × 1
    delta2 = (y_hat - Y) * y_hat * (1.0 - y_hat)  # 1 × 1
    delta1 = (delta2 @ W2.T) * l1 * (1.0 - l1)  # (1 × 1) · (1 × 2) = 1 × 2
    expected_dW2 = l1.T @ delta2  # (2 × 1) · (1 × 1) = 2 × 1
    expected_dW1 = x.T @ delta1  # (n × 1) · (1 × 2) = n × 2

    g = gradients([W1, W2], x, Y)

    assert [d.shape for d in g.dW] == [(n, 2), (2, 1)]
    np.testing.assert_allclose(g.delta[1], delta2, rtol=RTOL)
    np.testing.assert_allclose(g.delta[0], delta1, rtol=RTOL)
    np.testing.assert_allclose(g.dW[1], expected_dW2, rtol=RTOL)
    np.testing.assert_allclose(g.dW[0], expected_dW1, rtol=RTOL)
    # Entry by entry: ∂L/∂W_1[i, j] = Δ_2 W_2[j] l_1[j] (1 − l_1[j]) x_i.
    d2 = delta2[0, 0]
    for i in range(n):
        for j in range(2):
            entry = d2 * W2[j, 0] * l1[0, j] * (1.0 - l1[0, j]) * x[0, i]
            np.testing.assert_allclose(g.dW[0][i, j], entry, rtol=RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_case_6_general_batch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n, h, k = (int(v) for v in rng.integers(1, 6, size=4))
    X = rng.normal(size=(m, n))
    W1 = rng.normal(size=(n, h))
    W2 = rng.normal(size=(h, k))
    Y = rng.uniform(size=(m, k))
    l1 = sig(X @ W1)  # m × h
    y_hat = sig(l1 @ W2)  # m × k
    delta2 = (y_hat - Y) * y_hat * (1.0 - y_hat)  # m × k
    delta1 = (delta2 @ W2.T) * l1 * (1.0 - l1)  # (m × k) · (k × h) = m × h

    g = gradients([W1, W2], X, Y)

    assert [d.shape for d in g.dW] == [(n, h), (h, k)]
    assert [d.shape for d in g.delta] == [(m, h), (m, k)]
    assert g.db == (None, None)
    np.testing.assert_allclose(g.dW[1], l1.T @ delta2, rtol=RTOL)  # (h × m) · (m × k)
    np.testing.assert_allclose(g.dW[0], X.T @ delta1, rtol=RTOL)  # (n × m) · (m × h)
    np.testing.assert_allclose(g.loss, 0.5 * np.sum((Y - y_hat) ** 2), rtol=RTOL)
    # Again the sum of the per-example gradients.
    for layer in range(2):
        per_example = sum(gradients([W1, W2], X[i : i + 1], Y[i : i + 1]).dW[layer] for i in range(m))
        np.testing.assert_allclose(g.dW[layer], per_example, rtol=RTOL, atol=1e-15 * np.abs(per_example).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_series_sign_error_is_minus_the_gradient(seed: int) -> None:
    """Parts 1, 2 and the 2-hidden-node part give (y − ŷ) ŷ (1 − ŷ) x: the descent direction."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    x = rng.normal(size=(1, n))
    W = rng.normal(size=(n, 1))
    y = rng.uniform()
    y_hat = sig(x @ W)[0, 0]
    series_formula = (y - y_hat) * y_hat * (1.0 - y_hat) * x.T

    g = gradients([W], x, np.array([[y]]))

    np.testing.assert_allclose(series_formula, -g.dW[0], rtol=RTOL)
    assert not np.allclose(series_formula, g.dW[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_step_lowers_the_loss(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n, h, k = (int(v) for v in rng.integers(1, 6, size=4))
    X = rng.normal(size=(m, n))
    Ws = [rng.normal(size=(n, h)), rng.normal(size=(h, k))]
    Y = rng.uniform(size=(m, k))
    g = gradients(Ws, X, Y)
    squared_norm = sum(float(np.sum(d * d)) for d in g.dW)
    assert squared_norm > 0.0

    eta = 1e-5
    stepped = [W - eta * d for W, d in zip(Ws, g.dW, strict=True)]
    decrease = g.loss - half_squared_error(stepped, X, Y)

    assert decrease > 0.0
    # To first order the decrease is η ‖∂L/∂W‖²; the rest is O(η²).
    np.testing.assert_allclose(decrease, eta * squared_norm, rtol=1e-3)
    # The seed series' sign error steps uphill.
    assert half_squared_error([W + eta * d for W, d in zip(Ws, g.dW, strict=True)], X, Y) > g.loss
