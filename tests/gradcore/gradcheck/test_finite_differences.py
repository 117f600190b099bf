"""Backpropagation against central finite differences, for every activation and loss.

The numerical gradient is computed here, in the spirit of HIPS/autograd's
``check_grads``: perturb one entry at a time by ±eps, recompute the loss with
``gradcore.forward`` and ``gradcore.loss`` only, and divide by the step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import gradcore
from gradcore import Layer, backward, forward, loss

ACTIVATION_NAMES = sorted(gradcore.ACTIVATIONS)
LOSS_NAMES = sorted(gradcore.LOSSES)
SEEDS = [0, 1, 2]
EPS = 1e-6
# |Z| below this counts as "near the relu kink" (see build_network).
KINK_MARGIN = 1e-3


def numeric_gradient(f: Callable[[], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central differences of the scalar f() with respect to the array x, perturbed in place."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        up = x[index]
        f_up = f()
        x[index] = original - eps
        down = x[index]
        f_down = f()
        x[index] = original
        # Divide by the step actually taken, up − down, not 2 eps (x ± eps is rounded).
        grad[index] = (f_up - f_down) / (up - down)
    return grad


def assert_gradient_close(analytic: np.ndarray, numeric: np.ndarray, loss_value: float) -> None:
    """Compare with a tolerance that covers the error of the numerical gradient itself.

    The central difference has a truncation error of order eps² |f'''| (about 1e-12
    here) and a rounding error of order (machine epsilon · |L|) / eps, that is
    about 2e-10 · |L|. So entries are compared with rtol = 1e-6 plus an absolute
    slack of 1e-8 · max(1, |L|), some 50 times the rounding error, which keeps a
    gradient entry that is (nearly) 0 from demanding a relative accuracy the
    numerical estimate cannot have.
    """
    assert analytic.shape == numeric.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8 * max(1.0, abs(loss_value)))


def build_network(
    seed: int, depth: int, activation: str, loss_name: str, bias: bool
) -> tuple[list[Layer], np.ndarray, np.ndarray]:
    """Random layers (widths 1–5, batch 1–4, weights and biases ~ N(0, 1)).

    Every layer uses ``activation`` except that binary_cross_entropy, defined
    only for ŷ = σ(Z_L), gets a sigmoid last layer and targets in [0, 1];
    softmax, allowed only in the last layer, puts tanh in the hidden layers;
    cross_entropy gets a softmax last layer (at least 2 outputs) and targets
    whose rows are probabilities.
    """
    key = [seed, depth, ACTIVATION_NAMES.index(activation), LOSS_NAMES.index(loss_name), int(bias)]
    rng = np.random.default_rng(key)
    activations = ["tanh" if activation == "softmax" else activation] * (depth - 1) + [activation]
    if loss_name == "binary_cross_entropy":
        activations[-1] = "sigmoid"
    if loss_name == "cross_entropy":
        activations[-1] = "softmax"
    for _ in range(100):
        widths = [int(v) for v in rng.integers(1, 6, size=depth + 1)]
        if activations[-1] == "softmax":
            widths[-1] = max(widths[-1], 2)
        m = int(rng.integers(1, 5))
        layers = [
            Layer(
                W=rng.normal(size=(widths[k], widths[k + 1])),
                activation=activations[k],
                b=rng.normal(size=widths[k + 1]) if bias else None,
            )
            for k in range(depth)
        ]
        X = rng.normal(size=(m, widths[0]))
        if loss_name == "binary_cross_entropy":
            Y = rng.uniform(size=(m, widths[-1]))
        elif loss_name == "cross_entropy":
            Y = rng.dirichlet(np.ones(widths[-1]), size=m)
        else:
            Y = rng.normal(size=(m, widths[-1]))
        # relu is not differentiable at Z = 0, and a finite difference that
        # straddles the kink measures neither one-sided derivative. Redraw until
        # every relu pre-activation is at least 1e-3 away from 0: a perturbation
        # of eps = 1e-6 in one weight moves any Z by far less than that (at most
        # eps times a product of a few O(1) weights and activations).
        cache = forward(layers, X)
        if all(
            np.abs(Z).min() >= KINK_MARGIN
            for Z, layer in zip(cache.Z, layers, strict=True)
            if layer.activation == "relu"
        ):
            return layers, X, Y
    raise AssertionError("could not draw a network away from the relu kink")


@pytest.mark.parametrize("bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_central_differences(
    seed: int, depth: int, activation: str, loss_name: str, bias: bool
) -> None:
    layers, X, Y = build_network(seed, depth, activation, loss_name, bias)

    def objective() -> float:
        return loss(layers, forward(layers, X), Y, loss_name)

    g = backward(layers, forward(layers, X), Y, loss_name)

    assert g.loss == objective()
    for k, layer in enumerate(layers):
        assert g.dW[k].shape == layer.W.shape
        assert_gradient_close(g.dW[k], numeric_gradient(objective, layer.W), g.loss)
        if layer.b is None:
            assert g.db[k] is None
        else:
            db = g.db[k]
            assert db is not None
            assert db.shape == layer.b.shape
            assert_gradient_close(db, numeric_gradient(objective, layer.b), g.loss)


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
def test_delta_is_the_gradient_with_respect_to_z(loss_name: str) -> None:
    """Δ_k = ∂L/∂Z_k, by central differences in Z_k itself.

    L as a function of Z_k is the network that starts at Z_k: an identity
    layer with activation f_k (Z_k · I = Z_k exactly), then layers k+1 … L.
    """
    layers, X, Y = build_network(7, 3, "tanh", loss_name, bias=True)
    cache = forward(layers, X)
    g = backward(layers, cache, Y, loss_name)

    for k, layer in enumerate(layers):
        n_k = layer.W.shape[1]
        rest = [Layer(W=np.eye(n_k), activation=layer.activation), *layers[k + 1 :]]
        Z_k = cache.Z[k].copy()

        def from_z(rest: list[Layer] = rest, Z_k: np.ndarray = Z_k) -> float:
            return loss(rest, forward(rest, Z_k), Y, loss_name)

        assert from_z() == pytest.approx(g.loss, rel=1e-14, abs=0.0)
        assert g.delta[k].shape == Z_k.shape
        assert_gradient_close(g.delta[k], numeric_gradient(from_z, Z_k), g.loss)


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


DEFINITIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sig,
    "tanh": np.tanh,
    "relu": lambda u: np.where(u > 0.0, u, 0.0),
    "linear": lambda u: u,
    "softmax": lambda u: np.exp(u) / np.exp(u).sum(axis=1, keepdims=True),
}


def test_definitions_cover_every_activation() -> None:
    assert set(DEFINITIONS) == set(gradcore.ACTIVATIONS)


@pytest.mark.parametrize("bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_forward_matches_definition(activation: str, bias: bool) -> None:
    """Z_k = A_{k−1} · W_k (+ b_k), A_k = f_k(Z_k), ŷ = A_L."""
    layers, X, _ = build_network(3, 3, activation, "half_squared_error", bias)
    cache = forward(layers, X)
    A = X
    for k, layer in enumerate(layers):
        Z = A @ layer.W + (layer.b if layer.b is not None else 0.0)
        A = DEFINITIONS[layer.activation](Z)
        np.testing.assert_allclose(cache.Z[k], Z, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(cache.A[k], A, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(cache.output, cache.A[-1])
    np.testing.assert_array_equal(cache.X, X)


@pytest.mark.parametrize("seed", SEEDS)
def test_loss_values_match_definitions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n, k = 4, 3, 2
    X = rng.normal(size=(m, n))
    layers = [Layer(W=rng.normal(size=(n, k)), activation="sigmoid", b=rng.normal(size=k))]
    cache = forward(layers, X)
    y_hat = sig(X @ layers[0].W + layers[0].b)
    Y_real = rng.normal(size=(m, k))
    Y_unit = rng.uniform(size=(m, k))

    half = sum(0.5 * (Y_real[i, j] - y_hat[i, j]) ** 2 for i in range(m) for j in range(k))
    mean = sum((Y_real[i, j] - y_hat[i, j]) ** 2 for i in range(m) for j in range(k)) / (m * k)
    bce = -np.mean(Y_unit * np.log(y_hat) + (1.0 - Y_unit) * np.log(1.0 - y_hat))

    assert loss(layers, cache, Y_real) == pytest.approx(half, rel=1e-13, abs=0.0)  # the default loss
    assert loss(layers, cache, Y_real, "half_squared_error") == pytest.approx(half, rel=1e-13, abs=0.0)
    assert loss(layers, cache, Y_real, "mean_squared_error") == pytest.approx(mean, rel=1e-13, abs=0.0)
    assert loss(layers, cache, Y_unit, "binary_cross_entropy") == pytest.approx(bce, rel=1e-12, abs=0.0)
    assert isinstance(loss(layers, cache, Y_unit, "binary_cross_entropy"), float)


def test_half_squared_error_is_m_n_over_2_times_mean_squared_error() -> None:
    """Σ ½ (y − ŷ)² = (m·n_L / 2) · mean (y − ŷ)², so their gradients differ by the same factor."""
    layers, X, Y = build_network(5, 2, "tanh", "half_squared_error", bias=True)
    cache = forward(layers, X)
    half = backward(layers, cache, Y, "half_squared_error")
    mean = backward(layers, cache, Y, "mean_squared_error")
    factor = Y.size / 2.0
    assert half.loss == pytest.approx(factor * mean.loss, rel=1e-13, abs=0.0)
    for a, b in zip(half.dW, mean.dW, strict=True):
        np.testing.assert_allclose(a, factor * b, rtol=1e-12, atol=1e-15)
