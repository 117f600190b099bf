"""Exact Hessian–vector products and JVPs against central differences of the exact gradient and of the forward
pass, against the closed form of a one-layer linear network, and against the symmetry of the Hessian."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from gradcore import (
    Direction,
    Layer,
    NonFiniteError,
    ShapeError,
    backward,
    flatten,
    forward,
    hessian_vector,
    input_gradient,
    jvp,
    output_hessian_vector,
    output_vjp,
    parameter_count,
    unflatten,
)

EPS = 1e-5
RTOL = 1e-6
# (hidden activation, last activation, loss): every loss, every activation, every allowed pair family
CASES = [
    ("sigmoid", "sigmoid", "half_squared_error"),
    ("tanh", "tanh", "mean_squared_error"),
    ("relu", "linear", "half_squared_error"),
    ("linear", "relu", "mean_squared_error"),
    ("tanh", "sigmoid", "binary_cross_entropy"),
    ("sigmoid", "softmax", "cross_entropy"),
    ("tanh", "softmax", "half_squared_error"),
    ("relu", "softmax", "mean_squared_error"),
]


def network(rng: np.random.Generator, widths: list[int], hidden: str, last: str, bias: bool) -> list[Layer]:
    L = len(widths) - 1
    return [
        Layer(
            W=rng.normal(size=(widths[k], widths[k + 1])),
            activation=last if k == L - 1 else hidden,
            b=rng.normal(size=widths[k + 1]) if bias else None,
        )
        for k in range(L)
    ]


def targets(rng: np.random.Generator, m: int, n_L: int, loss: str) -> np.ndarray:
    if loss == "cross_entropy":
        P = rng.uniform(0.1, 1.0, size=(m, n_L))
        return P / P.sum(axis=1, keepdims=True)
    return rng.uniform(size=(m, n_L))


def random_direction(rng: np.random.Generator, layers: list[Layer]) -> Direction:
    return unflatten(layers, rng.normal(size=parameter_count(layers)))


def shifted(layers: list[Layer], V: Direction, t: float) -> list[Layer]:
    return [
        Layer(W=layer.W + t * V_k, activation=layer.activation, b=None if layer.b is None else layer.b + t * v_k)
        for layer, V_k, v_k in zip(layers, V.W, V.b, strict=True)
    ]


def flat_gradient(layers: list[Layer], X: np.ndarray, Y: np.ndarray, loss: str) -> np.ndarray:
    grads = backward(layers, forward(layers, X), Y, loss)
    return flatten(grads.dW, grads.db)


def central(g: Callable[[float], np.ndarray]) -> np.ndarray:
    """(g(ε) − g(−ε)) / 2ε, the derivative at 0 of a vector function of t."""
    return (g(EPS) - g(-EPS)) / (2 * EPS)


def assert_close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> None:
    """Norm-wise relative agreement: ‖got − expected‖ ≤ rtol ‖expected‖."""
    assert got.shape == expected.shape
    assert np.linalg.norm(got - expected) <= rtol * np.linalg.norm(expected), (got, expected)


@pytest.mark.parametrize(("hidden", "last", "loss"), CASES)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("widths", [[3, 4], [3, 5, 4], [4, 3, 5, 3]], ids=["L1", "L2", "L3"])
def test_parameter_hessian_vector_against_differences_of_the_gradient(
    hidden: str, last: str, loss: str, bias: bool, widths: list[int]
) -> None:
    rng = np.random.default_rng(len(widths) * 100 + int(bias) + len(loss))
    layers = network(rng, widths, hidden, last, bias)
    X = rng.normal(size=(5, widths[0]))
    Y = targets(rng, 5, widths[-1], loss)
    V = random_direction(rng, layers)
    result = hessian_vector(layers, X, Y, V, loss=loss)
    numeric = central(lambda t: flat_gradient(shifted(layers, V, t), X, Y, loss))
    assert_close(flatten(result.dW, result.db), numeric)
    # the gradient it computes on the way is backward's
    assert_close(flatten(result.gradients.dW, result.gradients.db), flat_gradient(layers, X, Y, loss), 1e-12)


@pytest.mark.parametrize(("hidden", "last", "loss"), CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_input_hessian_vector_against_differences_of_the_input_gradient(
    hidden: str, last: str, loss: str, bias: bool
) -> None:
    rng = np.random.default_rng(7 + int(bias))
    layers = network(rng, [3, 4, 3], hidden, last, bias)
    X = rng.normal(size=(4, 3))
    Y = targets(rng, 4, 3, loss)
    U = rng.normal(size=X.shape)
    result = hessian_vector(layers, X, Y, U=U, loss=loss)

    def gradient_x(t: float) -> np.ndarray:
        return input_gradient(layers, backward(layers, forward(layers, X + t * U), Y, loss))

    assert_close(result.dX, central(gradient_x))


@pytest.mark.parametrize("last", ["sigmoid", "tanh", "linear", "softmax"])
def test_output_hessian_vector_against_differences_of_the_output_vjp(last: str) -> None:
    rng = np.random.default_rng(11)
    layers = network(rng, [3, 4, 3], "tanh", last, True)
    X, S = rng.normal(size=(1, 3)), rng.normal(size=(1, 3))
    U, V = rng.normal(size=X.shape), random_direction(rng, layers)
    both = output_hessian_vector(layers, X, S, V, U)

    def gradient(t: float) -> np.ndarray:
        moved = shifted(layers, V, t)
        grads, dX = output_vjp(moved, forward(moved, X + t * U), S)
        return np.concatenate([flatten(grads.dW, grads.db), dX.ravel()])

    assert_close(np.concatenate([flatten(both.dW, both.db), both.dX.ravel()]), central(gradient))


def test_one_layer_linear_half_squared_error_has_the_closed_form_hessian() -> None:
    """L = ½ ‖X W + 1 bᵀ − Y‖²: the Hessian is blockdiag(X̃ᵀ X̃) over the columns of W̃ = [W; bᵀ], X̃ = [X 1]."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    layers = [Layer(W=rng.normal(size=(3, 2)), activation="linear", b=rng.normal(size=2))]
    V = random_direction(rng, layers)
    result = hessian_vector(layers, X, Y, V)
    X_1 = np.hstack([X, np.ones((6, 1))])
    expected = X_1.T @ X_1 @ np.vstack([V.W[0], V.b[0]])  # each column of Ṽ times X̃ᵀX̃
    np.testing.assert_allclose(result.dW[0], expected[:3], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.db[0], expected[3], rtol=1e-12, atol=1e-12)  # type: ignore[arg-type]


def test_one_layer_sigmoid_single_example_has_the_closed_form_hessian() -> None:
    """Seed case 2: L = ½ (σ(x·w) − y)²; ∇²L = ((σ′)² + (ŷ − y) σ″) xᵀx, σ″ = σ′ (1 − 2ŷ)."""
    rng = np.random.default_rng(2)
    x, w, y = rng.normal(size=(1, 4)), rng.normal(size=(4, 1)), np.array([[0.3]])
    y_hat = 1 / (1 + np.exp(-(x @ w)))
    s1 = y_hat * (1 - y_hat)
    H = (s1**2 + (y_hat - y) * s1 * (1 - 2 * y_hat)).item() * (x.T @ x)
    v = rng.normal(size=(4, 1))
    result = hessian_vector([Layer(W=w)], x, y, Direction(W=(v,), b=(None,)))
    np.testing.assert_allclose(result.dW[0], H @ v, rtol=1e-12)


@pytest.mark.parametrize(("hidden", "last", "loss"), CASES)
def test_the_hessian_is_symmetric(hidden: str, last: str, loss: str) -> None:
    rng = np.random.default_rng(3)
    layers = network(rng, [3, 4, 2], hidden, last, True)
    X = rng.normal(size=(5, 3))
    Y = targets(rng, 5, 2, loss)
    (V, U), (V2, U2) = [(random_direction(rng, layers), rng.normal(size=X.shape)) for _ in range(2)]
    Hv = hessian_vector(layers, X, Y, V, U, loss=loss)
    Hu = hessian_vector(layers, X, Y, V2, U2, loss=loss)
    u_Hv = flatten(V2.W, V2.b) @ flatten(Hv.dW, Hv.db) + (U2 * Hv.dX).sum()
    v_Hu = flatten(V.W, V.b) @ flatten(Hu.dW, Hu.db) + (U * Hu.dX).sum()
    assert abs(u_Hv - v_Hu) <= 1e-12 * max(1.0, abs(u_Hv))


@pytest.mark.parametrize(("hidden", "last", "loss"), CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_jvp_against_differences_of_the_forward_pass(hidden: str, last: str, loss: str, bias: bool) -> None:
    rng = np.random.default_rng(13)
    layers = network(rng, [3, 5, 3], hidden, last, bias)
    X = rng.normal(size=(4, 3))
    V, U = random_direction(rng, layers), rng.normal(size=X.shape)
    assert_close(jvp(layers, X, V).output, central(lambda t: forward(shifted(layers, V, t), X).output))
    assert_close(jvp(layers, X, U=U).output, central(lambda t: forward(layers, X + t * U).output))
    both = jvp(layers, X, V, U).output
    assert_close(both, central(lambda t: forward(shifted(layers, V, t), X + t * U).output))


def test_output_vjp_is_the_adjoint_of_the_jvp() -> None:
    """⟨S, J·(V, U)⟩ = ⟨Sᵀ J, (V, U)⟩, and the VJP of S = ŷ − y after a linear layer is the half squared error's."""
    rng = np.random.default_rng(17)
    layers = network(rng, [3, 4, 2], "sigmoid", "linear", True)
    X, Y, S = rng.normal(size=(3, 3)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    V, U = random_direction(rng, layers), rng.normal(size=X.shape)
    grads, dX = output_vjp(layers, forward(layers, X), S)
    left = (S * jvp(layers, X, V, U).output).sum()
    right = flatten(grads.dW, grads.db) @ flatten(V.W, V.b) + (dX * U).sum()
    assert abs(left - right) <= 1e-12 * abs(left)
    cache = forward(layers, X)
    loss_grads = backward(layers, cache, Y)
    vjp_grads, vjp_dX = output_vjp(layers, cache, cache.output - Y)
    assert_close(flatten(vjp_grads.dW, vjp_grads.db), flatten(loss_grads.dW, loss_grads.db), 1e-14)
    assert_close(vjp_dX, input_gradient(layers, loss_grads), 1e-14)


def test_flatten_orders_w1_row_by_row_then_b1_then_w2() -> None:
    layers = [Layer(W=np.array([[1.0, 2.0], [3.0, 4.0]]), b=np.array([5.0, 6.0])), Layer(W=np.array([[7.0], [8.0]]))]
    theta = flatten([layer.W for layer in layers], [layer.b for layer in layers])
    np.testing.assert_array_equal(theta, np.arange(1.0, 9.0))
    back = unflatten(layers, theta)
    np.testing.assert_array_equal(back.W[0], layers[0].W)
    np.testing.assert_array_equal(back.b[0], layers[0].b)  # type: ignore[arg-type]
    assert back.b[1] is None


def test_wrong_directions_are_shape_errors_that_name_the_shapes() -> None:
    layers = [Layer(W=np.ones((3, 2)), b=np.zeros(2)), Layer(W=np.ones((2, 1)))]
    X, Y = np.ones((1, 3)), np.ones((1, 1))
    with pytest.raises(ShapeError, match=r"layer 1 of the vector is 2 × 3 but W_1 is 3 × 2"):
        hessian_vector(layers, X, Y, Direction(W=(np.ones((2, 3)), np.ones((2, 1))), b=(None, None)))
    with pytest.raises(ShapeError, match=r"layer 2 has no bias b_2"):
        hessian_vector(layers, X, Y, Direction(W=(np.ones((3, 2)), np.ones((2, 1))), b=(None, np.ones(1))))
    with pytest.raises(ShapeError, match=r"the direction U is 2 × 3 but X is 1 × 3"):
        hessian_vector(layers, X, Y, U=np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"θ has 5 numbers but the network has 10"):
        unflatten(layers, np.ones(5))
    with pytest.raises(ShapeError, match=r"S is 1 × 2 but ŷ is 1 × 1"):
        output_hessian_vector(layers, X, np.ones((1, 2)))


def test_an_overflowing_product_is_a_non_finite_error() -> None:
    layers = [
        Layer(W=np.full((1, 1), 1e150), activation="linear"),
        Layer(W=np.full((1, 1), 1e150), activation="linear"),
    ]
    forward(layers, np.ones((1, 1)))  # finite: ŷ = 1e300
    with pytest.raises(NonFiniteError):
        hessian_vector(layers, np.ones((1, 1)), np.ones((1, 1)), U=np.full((1, 1), 1e10))
