"""softmax and cross_entropy: against their definitions, the explicit Jacobian, finite differences and the rules."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradcore import ACTIVATIONS, LOSSES, Layer, ShapeError, backward, forward, loss, shape_problems

SOFTMAX = ACTIVATIONS["softmax"]
CROSS_ENTROPY = LOSSES["cross_entropy"]


def softmax_definition(z: np.ndarray) -> np.ndarray:
    """e^(z_j) / Σ_c e^(z_c) for each row, written out with Python floats (moderate z only)."""
    out = np.empty_like(z)
    for i, row in enumerate(z):
        exps = [float(np.exp(v)) for v in row]
        total = sum(exps)
        out[i] = [e / total for e in exps]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_is_its_definition(seed: int) -> None:
    Z = np.random.default_rng(seed).normal(scale=3.0, size=(4, 5))
    A = SOFTMAX.forward(Z)
    np.testing.assert_allclose(A, softmax_definition(Z), rtol=1e-14)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_is_stable_for_large_pre_activations() -> None:
    Z = np.array([[1000.0, 999.0, -1000.0], [-1e300, 0.0, 1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = SOFTMAX.forward(Z)
    assert np.isfinite(A).all()
    # Shifting a row by a constant leaves softmax unchanged: [1000, 999, −1000] ~ [1, 0, −1999].
    np.testing.assert_allclose(A[0], softmax_definition(np.array([[1.0, 0.0, -1999.0]]))[0], rtol=1e-14)
    np.testing.assert_array_equal(A[1], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_backward_is_the_jacobian_product(seed: int) -> None:
    """Row by row, ∂L/∂z = dA · J with J_jc = ∂a_j/∂z_c = a_j (δ_jc − a_c), written out as a matrix."""
    rng = np.random.default_rng(seed)
    Z, dA = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    A = SOFTMAX.forward(Z)
    expected = np.array([dA[i] @ (np.diag(A[i]) - np.outer(A[i], A[i])) for i in range(3)])
    np.testing.assert_allclose(SOFTMAX.backward(dA, Z, A), expected, rtol=1e-12, atol=1e-15)


def probability_rows(rng: np.random.Generator, m: int, n: int, one_hot: bool) -> np.ndarray:
    if one_hot:
        return np.eye(n)[rng.integers(0, n, size=m)]
    return rng.dirichlet(np.ones(n), size=m)


@pytest.mark.parametrize("one_hot", [False, True], ids=["probabilities", "one_hot"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_entropy_value_and_delta(seed: int, one_hot: bool) -> None:
    """L = −(1/m) Σ y log ŷ; Δ_L = (ŷ − y)/m, which is ∂L/∂Z_L by central differences."""
    rng = np.random.default_rng(seed)
    m, n = 4, 3
    Z, Y = rng.normal(size=(m, n)), probability_rows(rng, m, n, one_hot)
    Y_hat = softmax_definition(Z)
    expected = -sum(Y[i, c] * np.log(Y_hat[i, c]) for i in range(m) for c in range(n)) / m
    assert CROSS_ENTROPY.value(Z, SOFTMAX.forward(Z), Y) == pytest.approx(expected, rel=1e-13)

    delta = CROSS_ENTROPY.delta(Z, SOFTMAX.forward(Z), Y, SOFTMAX)
    np.testing.assert_allclose(delta, (Y_hat - Y) / m, rtol=1e-12, atol=1e-16)
    eps, numeric = 1e-6, np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = (
            CROSS_ENTROPY.value(up, SOFTMAX.forward(up), Y) - CROSS_ENTROPY.value(down, SOFTMAX.forward(down), Y)
        ) / (2 * eps)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


def test_cross_entropy_stays_finite_when_a_probability_rounds_to_zero() -> None:
    """ŷ_2 = e^(−2000) rounds to 0, yet L = −log ŷ_2 = 2000 + log(1 + e^(−2000) + …) ≈ 2000."""
    layers = [Layer(W=np.array([[1000.0, -1000.0, 0.0]]), activation="softmax")]
    X, Y = np.array([[1.0]]), np.array([[0.0, 1.0, 0.0]])
    cache = forward(layers, X)
    assert cache.output[0, 1] == 0.0
    g = backward(layers, cache, Y, "cross_entropy")
    assert g.loss == pytest.approx(2000.0, rel=1e-15)
    np.testing.assert_allclose(g.dW[0], [[1.0, -1.0, 0.0]], atol=1e-300)


def test_softmax_with_squared_error_goes_through_the_jacobian() -> None:
    """With L = Σ ½ (y − ŷ)² there is no cancellation: Δ_L = (ŷ − y) · J row by row."""
    rng = np.random.default_rng(5)
    layers = [Layer(W=rng.normal(size=(3, 4)), activation="softmax")]
    X, Y = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    cache = forward(layers, X)
    A = cache.output
    expected = np.array([(A[i] - Y[i]) @ (np.diag(A[i]) - np.outer(A[i], A[i])) for i in range(2)])
    g = backward(layers, cache, Y, "half_squared_error")
    np.testing.assert_allclose(g.delta[0], expected, rtol=1e-12, atol=1e-15)


def ones(*shape: int) -> np.ndarray:
    return np.ones(shape)


def test_softmax_in_a_hidden_layer_is_rejected() -> None:
    layers = [Layer(W=ones(2, 3), activation="softmax"), Layer(W=ones(3, 2), activation="softmax")]
    problems = shape_problems(layers, ones(1, 2))
    assert [p.location for p in problems] == [("layers", 0, "activation")]
    assert "only in the last layer (layer 2)" in problems[0].message
    with pytest.raises(ShapeError):
        forward(layers, ones(1, 2))


def test_softmax_over_one_output_is_rejected() -> None:
    problems = shape_problems([Layer(W=ones(2, 1), activation="softmax")], ones(1, 2))
    assert [p.location for p in problems] == [("layers", 0, "activation")]
    assert "n_1 = 1" in problems[0].message


@pytest.mark.parametrize(
    ("last", "loss_name", "needed"),
    [
        ("sigmoid", "cross_entropy", "softmax"),
        ("linear", "cross_entropy", "softmax"),
        ("softmax", "binary_cross_entropy", "sigmoid"),
    ],
)
def test_loss_needs_its_last_activation(last: str, loss_name: str, needed: str) -> None:
    layers = [Layer(W=ones(2, 3), activation="tanh"), Layer(W=ones(3, 2), activation=last)]
    problems = shape_problems(layers, ones(1, 2), np.array([[0.5, 0.5]]), loss_name)
    assert [p.location for p in problems] == [("layers", 1, "activation")]
    assert f"loss {loss_name} needs a {needed} last layer" in problems[0].message


@pytest.mark.parametrize(
    ("Y", "text"),
    [
        ([[1.2, -0.2]], "y[0, 1] < 0"),
        ([[0.5, 0.5], [0.6, 0.6]], "row 1 sums to 1.2"),
        ([[0.0, 0.0]], "row 0 sums to 0"),
    ],
)
def test_cross_entropy_targets_must_be_probability_rows(Y: list[list[float]], text: str) -> None:
    layers = [Layer(W=ones(2, 2), activation="softmax")]
    Y_array = np.array(Y)
    problems = shape_problems(layers, ones(Y_array.shape[0], 2), Y_array, "cross_entropy")
    assert [p.location for p in problems] == [("targets",)]
    assert text in problems[0].message
    with pytest.raises(ShapeError):
        loss(layers, forward(layers, ones(Y_array.shape[0], 2)), Y_array, "cross_entropy")


def test_softmax_fits_the_squared_errors_and_cross_entropy() -> None:
    layers = [Layer(W=ones(2, 3), activation="relu"), Layer(W=ones(3, 2), activation="softmax")]
    Y = np.array([[1.0, 0.0]])
    for name in ("half_squared_error", "mean_squared_error", "cross_entropy"):
        assert shape_problems(layers, ones(1, 2), Y, name) == []
