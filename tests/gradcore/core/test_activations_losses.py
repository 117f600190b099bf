"""Activations and losses at the edges of float64: finite results, no warnings, clear errors."""

from __future__ import annotations

import decimal
import math
import warnings

import numpy as np
import pytest

from gradcore import (
    ACTIVATIONS,
    GradcoreError,
    Gradients,
    Layer,
    NonFiniteError,
    ShapeError,
    backward,
    forward,
    loss,
    sigmoid,
)
from gradcore.core import activations
from gradcore.core.activations import BLOCK

EXTREMES = [1e300, -1e300, 800.0, -800.0, 40.0, -40.0, 0.0]


def sigmoid_reference(x: float) -> float:
    """σ(x) with Python's math, in the form whose exponential cannot overflow.

    For x ≥ 0, 1 / (1 + e^(−x)) with e^(−x) ≤ 1. For x < 0, e^x / (1 + e^x),
    which is the same number; math.exp(x) then underflows quietly towards 0
    (to exactly 0.0 for x < −745.2, where σ(x) < 2^(−1075) rounds to 0).
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@pytest.mark.parametrize("x", EXTREMES)
def test_sigmoid_at_extremes(x: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = sigmoid(np.array([[x]]))
    assert value.shape == (1, 1)
    assert np.isfinite(value).all()
    assert 0.0 <= value[0, 0] <= 1.0
    np.testing.assert_allclose(value[0, 0], sigmoid_reference(x), rtol=1e-15, atol=0.0)
    if x >= -709.0:  # where e^(−x) does not overflow, the textbook form in math too
        np.testing.assert_allclose(value[0, 0], 1.0 / (1.0 + math.exp(-x)), rtol=1e-15, atol=0.0)


def test_sigmoid_limits_and_symmetry() -> None:
    x = np.array([[1e300, 800.0, 40.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        up, down = sigmoid(x), sigmoid(-x)
    assert up[0, 0] == 1.0
    assert up[0, 1] == 1.0
    assert down[0, 0] == 0.0
    assert down[0, 1] == 0.0
    assert up[0, -1] == 0.5
    # σ(−x) = 1 − σ(x), up to the rounding of 1 − σ(x).
    np.testing.assert_allclose(up + down, 1.0, rtol=0.0, atol=2e-16)


def test_sigmoid_inside_a_network_with_extreme_pre_activations() -> None:
    layers = [Layer(W=np.array([[1.0, -1.0]]))]
    X = np.array([[1e300], [800.0], [40.0]])
    cache = forward(layers, X)
    assert np.isfinite(cache.output).all()
    expected = [[sigmoid_reference(z), sigmoid_reference(-z)] for z in X[:, 0]]
    np.testing.assert_allclose(cache.output, expected, rtol=1e-15, atol=0.0)
    g = backward(layers, cache, np.full((3, 2), 0.5))
    assert all(np.isfinite(d).all() for d in (*g.dW, *g.delta))


def test_relu_derivative_at_zero_is_zero() -> None:
    relu = ACTIVATIONS["relu"]
    Z = np.array([[0.0, -0.0, 1e-300, -1e-300, 2.0, -2.0]])
    A = relu.forward(Z)
    np.testing.assert_array_equal(A, [[0.0, 0.0, 1e-300, 0.0, 2.0, 0.0]])
    dZ = relu.backward(np.full_like(Z, 3.0), Z, A)
    np.testing.assert_array_equal(dZ, [[0.0, 0.0, 3.0, 0.0, 3.0, 0.0]])


def test_relu_derivative_at_zero_inside_a_network() -> None:
    # Z_1 = 1·1 + 1·(−1) = 0 exactly, so ∂L/∂Z_1 takes relu′(0) = 0.
    layers = [Layer(W=np.array([[1.0], [-1.0]]), activation="relu"), Layer(W=np.array([[2.0]]), activation="linear")]
    cache = forward(layers, np.array([[1.0, 1.0]]))
    assert cache.Z[0][0, 0] == 0.0
    g = backward(layers, cache, np.array([[5.0]]))
    np.testing.assert_array_equal(g.delta[1], [[-5.0]])  # ŷ − y = 0 − 5
    np.testing.assert_array_equal(g.delta[0], [[0.0]])
    np.testing.assert_array_equal(g.dW[0], [[0.0], [0.0]])


@pytest.mark.parametrize("z", [1000.0, -1000.0])
@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_binary_cross_entropy_is_finite_for_saturated_outputs(z: float, y: float) -> None:
    """ŷ = σ(z) rounds to 1 or 0 here, yet L = −[y log ŷ + (1 − y) log(1 − ŷ)] is finite.

    log σ(z) = −log(1 + e^(−z)) and log(1 − σ(z)) = −z − log(1 + e^(−z)); for
    z = 1000 these are −e^(−1000) ≈ −0 and ≈ −1000, so L = (1 − y) · 1000;
    for z = −1000, symmetrically, L = y · 1000.
    """
    layers = [Layer(W=np.array([[z]]), activation="sigmoid")]
    cache = forward(layers, np.array([[1.0]]))
    Y = np.array([[y]])
    expected = (1.0 - y) * 1000.0 if z > 0 else y * 1000.0

    value = loss(layers, cache, Y, "binary_cross_entropy")
    g = backward(layers, cache, Y, "binary_cross_entropy")

    assert value == pytest.approx(expected, rel=1e-15, abs=0.0)
    assert g.loss == value
    # Δ = ∂L/∂z = σ(z) − y, with σ(1000) = 1 and σ(−1000) = 0 in float64.
    np.testing.assert_array_equal(g.delta[0], [[(1.0 if z > 0 else 0.0) - y]])
    np.testing.assert_array_equal(g.dW[0], g.delta[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_cross_entropy_equals_its_definition(seed: int) -> None:
    """Where ŷ is not rounded to 0 or 1 (|z| ≤ 10), the definition itself is accurate.

    (Its log(1 − ŷ) loses accuracy as ŷ → 1: about 1e-16 / (1 − ŷ) relative,
    below 1e-11 for z ≤ 10, hence rtol = 1e-10.)
    """
    rng = np.random.default_rng(seed)
    z = rng.uniform(-10.0, 10.0, size=(5, 3))
    Y = rng.uniform(size=(5, 3))
    Y[0, 0], Y[1, 1] = 0.0, 1.0
    layers = [Layer(W=np.eye(3), activation="sigmoid")]
    cache = forward(layers, z)
    terms = []
    for i in range(5):
        for j in range(3):
            y_hat = 1.0 / (1.0 + math.exp(-z[i, j]))
            terms.append(Y[i, j] * math.log(y_hat) + (1.0 - Y[i, j]) * math.log(1.0 - y_hat))
    expected = -sum(terms) / len(terms)
    assert loss(layers, cache, Y, "binary_cross_entropy") == pytest.approx(expected, rel=1e-10, abs=0.0)


def assert_non_finite_error(info: pytest.ExceptionInfo[NonFiniteError], location: tuple[object, ...]) -> None:
    error = info.value
    assert isinstance(error, GradcoreError)
    assert isinstance(error, ValueError)
    assert not isinstance(error, ShapeError)
    assert [p.location for p in error.problems] == [location]
    assert "overflows float64" in str(error)


def test_relu_with_huge_weights_raises_non_finite_error() -> None:
    # Z_1 = 1e300 + 1e300 = 2e300 is finite; Z_2 = 3 · 2e300 · 1e300 overflows.
    layers = [
        Layer(W=np.full((2, 3), 1e300), activation="relu"),
        Layer(W=np.full((3, 1), 1e300), activation="relu"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NonFiniteError) as info:
            forward(layers, np.array([[1.0, 1.0]]))
    assert_non_finite_error(info, ("layers", 1, "pre_activation"))
    assert "z_2" in str(info.value)


def test_overflow_in_the_first_layer() -> None:
    layers = [Layer(W=np.array([[1e300]]), activation="relu")]
    with pytest.raises(NonFiniteError) as info:
        forward(layers, np.array([[1e10]]))
    assert_non_finite_error(info, ("layers", 0, "pre_activation"))


def test_infinity_minus_infinity_is_an_error_not_nan() -> None:
    # A_1 = [1e300, 1e300]; Z_2 = 1e300·1e300 − 1e300·1e300 = inf − inf.
    layers = [
        Layer(W=np.array([[1e300, 1e300]]), activation="relu"),
        Layer(W=np.array([[1e300], [-1e300]]), activation="linear"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NonFiniteError) as info:
            forward(layers, np.array([[1.0]]))
    assert_non_finite_error(info, ("layers", 1, "pre_activation"))


def test_loss_overflow_raises_non_finite_error() -> None:
    # ŷ = 1e200 is finite, ½ (y − ŷ)² = 5e399 is not.
    layers = [Layer(W=np.array([[1e200]]), activation="linear")]
    cache = forward(layers, np.array([[1.0]]))
    for call in (loss, backward):
        with pytest.raises(NonFiniteError) as info:
            call(layers, cache, np.array([[0.0]]))
        assert_non_finite_error(info, ("loss",))


def test_gradient_overflow_raises_non_finite_error() -> None:
    # z = 1e308 · 1e-307 = 10 and L = 50 are finite, ∂L/∂W = x · (ŷ − y) = 1e309 is not.
    layers = [Layer(W=np.array([[1e-307]]), activation="linear")]
    cache = forward(layers, np.array([[1e308]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NonFiniteError) as info:
            backward(layers, cache, np.array([[0.0]]))
    assert_non_finite_error(info, ("layers", 0, "weights_gradient"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_layers_with_huge_weights_stay_finite(seed: int) -> None:
    rng = np.random.default_rng(seed)
    layers = [Layer(W=1e300 * rng.choice([-1.0, 1.0], size=shape)) for shape in [(3, 4), (4, 4), (4, 2)]]
    X = rng.normal(size=(5, 3))
    Y = rng.uniform(size=(5, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache = forward(layers, X)
    for Z, A in zip(cache.Z, cache.A, strict=True):
        assert np.isfinite(Z).all()
        assert ((A >= 0.0) & (A <= 1.0)).all()
    # Backward, an intermediate Δ_{k+1} · W_{k+1}ᵀ may overflow to inf where σ′(Z_k)
    # underflowed to 0 (seed 0 does): gradcore then reports a NonFiniteError, never a
    # NaN result, although the exact Δ_k, about 1e599 · e^(−1e299), rounds to 0.
    outcome: Gradients | NonFiniteError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            outcome = backward(layers, cache, Y)
    except NonFiniteError as error:
        outcome = error
    if isinstance(outcome, NonFiniteError):
        assert all(p.location[-1] == "delta" for p in outcome.problems)
    else:
        assert all(np.isfinite(d).all() for d in (*outcome.dW, *outcome.delta))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_sigmoid_layers_with_huge_weights_have_finite_gradients(seed: int) -> None:
    """|Δ_2| ≤ 1/4 and n_2 ≤ 4, so Δ_2 · W_2ᵀ ≤ 1e300 cannot overflow."""
    rng = np.random.default_rng(seed)
    layers = [Layer(W=1e300 * rng.choice([-1.0, 1.0], size=shape)) for shape in [(3, 4), (4, 2)]]
    X = rng.normal(size=(5, 3))
    Y = rng.uniform(size=(5, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = backward(layers, forward(layers, X), Y)
    assert math.isfinite(g.loss)
    assert all(np.isfinite(d).all() for d in (*g.dW, *g.delta))


# Precision where σ(z) or tanh(z) round towards ±1, and in the subnormal range.


def test_sigmoid_derivative_is_accurate_for_large_positive_z() -> None:
    z = 30.0
    layers = [Layer(W=np.array([[z]]), activation="sigmoid")]
    g = backward(layers, forward(layers, np.array([[1.0]])), np.array([[0.0]]))
    y_hat, y_hat_minus = sigmoid_reference(z), sigmoid_reference(-z)
    expected = y_hat * y_hat * y_hat_minus  # (ŷ − 0) σ′(z) · x, σ′(z) = σ(z) σ(−z), x = 1
    np.testing.assert_allclose(g.dW[0], [[expected]], rtol=1e-12)


def test_tanh_derivative_is_accurate_for_large_z() -> None:
    z = 15.0
    layers = [Layer(W=np.array([[z]]), activation="tanh")]
    g = backward(layers, forward(layers, np.array([[1.0]])), np.array([[0.0]]))
    expected = math.tanh(z) / math.cosh(z) ** 2  # (ŷ − 0) tanh′(z) · x, x = 1
    np.testing.assert_allclose(g.dW[0], [[expected]], rtol=1e-12)


@pytest.mark.parametrize("z", [5.0, 20.0, 40.0, 300.0])
@pytest.mark.parametrize("columns", [2, 3])
def test_softmax_gradient_keeps_its_precision_where_one_output_saturates(z: float, columns: int) -> None:
    """Row z = (z, 0, …), ∂L/∂A = (1, 0, …): ∂L/∂z = a_1 (e_1 − a), exactly a_1 (1 − a_1) = a_1 (c − 1) e^(−z) / s
    for the first entry, with s = 1 + (c − 1) e^(−z) the softmax's sum. 1 − a_1 rounds to 0 from z ≈ 37 on, so
    a_1 (1 − Σ_c a_c dA_c), the engines' formula, is noise or 0 there; each entry has all its digits here."""
    Z = np.array([[z] + [0.0] * (columns - 1)])
    softmax_layer = ACTIVATIONS["softmax"]
    dZ = softmax_layer.backward(np.eye(1, columns), Z, softmax_layer.forward(Z))
    with decimal.localcontext() as context:
        context.prec = 50
        e = (-decimal.Decimal(z)).exp()
        total = 1 + (columns - 1) * e
        first, other = 1 / total, e / total
        expected = [float(first * (columns - 1) * other)] + [float(-first * other)] * (columns - 1)
    np.testing.assert_allclose(dZ, [expected], rtol=1e-14, atol=0.0)


def test_sigmoid_in_the_subnormal_range() -> None:
    assert sigmoid(np.array([[-720.0]]))[0, 0] == pytest.approx(sigmoid_reference(-720.0), rel=1e-9, abs=0.0)


def sigmoid_derivative_exact(z: float) -> float:
    """σ′(z) = e^(−|z|) / (1 + e^(−|z|))², in 50-digit decimal arithmetic, rounded once to float64."""
    with decimal.localcontext() as context:
        context.prec = 50
        e = (-abs(decimal.Decimal(z))).exp()
        return float(e / (1 + e) ** 2)


def sigmoid_derivative_without_warnings(z: float) -> np.ndarray:
    """σ′(z) by the sigmoid's backward rule (dA = 1), any numpy warning an error."""
    sigmoid_layer = ACTIVATIONS["sigmoid"]
    Z = np.array([[z]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return sigmoid_layer.backward(np.ones_like(Z), Z, sigmoid_layer.forward(Z))


@pytest.mark.parametrize("z", [0.0, 1.0, -1.0, 30.0, -30.0, 100.0, -100.0, 700.0, -700.0, 708.0, -708.0])
def test_sigmoid_derivative_keeps_full_relative_precision(z: float) -> None:
    """σ′(z) = σ(z) σ(−z) to a few ulps where σ saturates, for either sign of z.

    1 − σ(z) would be exactly 0 from z ≈ 37 on (and σ′ with it); σ′(±700) ≈ 1e-304
    is a normal float and must come out with all its digits.
    """
    derivative = sigmoid_derivative_without_warnings(z)
    expected = sigmoid_derivative_exact(z)
    assert expected > 0.0
    np.testing.assert_allclose(derivative, [[expected]], rtol=1e-15, atol=0.0)
    # Inside a network, with x = 1 and y = 0: ∂L/∂W = ŷ σ′(z) (half squared error).
    layers = [Layer(W=np.array([[z]]), activation="sigmoid")]
    g = backward(layers, forward(layers, np.array([[1.0]])), np.array([[0.0]]))
    np.testing.assert_allclose(g.dW[0], [[sigmoid_reference(z) * expected]], rtol=2e-15, atol=0.0)


@pytest.mark.parametrize("z", [720.0, -720.0, 745.0, -745.0, 746.0, -746.0, 1e300, -1e300])
def test_sigmoid_derivative_underflows_gradually(z: float) -> None:
    """Past |z| ≈ 708, σ′(z) is subnormal: it matches the exact value to the subnormal spacing, 2^(−1074)."""
    derivative = sigmoid_derivative_without_warnings(z)
    expected = sigmoid_derivative_exact(z)
    assert abs(derivative[0, 0] - expected) <= 2.0**-1074
    if abs(z) <= 745.0:
        assert derivative[0, 0] > 0.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_backward_leaves_its_gradient_argument_as_it_is(name: str) -> None:
    """``backward`` works on a copy; ``backward_in_place`` (the network's, on its own temporaries) gives the same."""
    activation = ACTIVATIONS[name]
    rng = np.random.default_rng(7)
    Z = 4.0 * rng.normal(size=(5, 3))
    A = activation.forward(Z)
    dA = rng.normal(size=Z.shape)
    saved = dA.copy()
    dZ = activation.backward(dA, Z, A)
    np.testing.assert_array_equal(dA, saved)
    np.testing.assert_array_equal(activation.backward_in_place(dA.copy(), Z, A), dZ)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_large_arrays_go_through_every_block_of_rows(name: str) -> None:
    """Above BLOCK elements the element-wise rules work block by block: every row once, as small arrays would."""
    activation = ACTIVATIONS[name]
    rng = np.random.default_rng(8)
    Z = 5.0 * rng.normal(size=(2 * BLOCK // 3 + 5, 3))  # 3 blocks, the last one short
    dA = rng.normal(size=Z.shape)
    A = activation.forward(Z)
    dZ = activation.backward(dA, Z, A)
    rows = [slice(i, i + 100) for i in range(0, len(Z), 100)]
    np.testing.assert_allclose(A, np.vstack([activation.forward(Z[r]) for r in rows]), rtol=1e-15, atol=0.0)
    expected = np.vstack([activation.backward(dA[r], Z[r], A[r]) for r in rows])
    np.testing.assert_allclose(dZ, expected, rtol=1e-15, atol=0.0)
    z = Z.ravel()  # one dimension: blocks of BLOCK elements
    np.testing.assert_allclose(activation.forward(z), A.ravel(), rtol=1e-15, atol=0.0)


def test_finite_results_whose_sum_overflows_are_not_errors() -> None:
    """The finiteness screen sums each array; a sum may overflow with every element finite, then each is checked."""
    layers = [Layer(W=np.array([[1e308, 1e308]]), activation="linear")]
    cache = forward(layers, np.array([[1.0]]))  # z_1 = [1e308, 1e308]: its sum overflows, its elements do not
    np.testing.assert_array_equal(cache.output, [[1e308, 1e308]])
    # ∂L/∂W = xᵀ (ŷ − y) = [[1e308], [1e308]] with L = ½ (1e8)² finite.
    layers = [Layer(W=np.array([[1e-300], [0.0]]), activation="linear")]
    X = np.array([[1e300, 1e300]])
    cache = forward(layers, X)
    g = backward(layers, cache, cache.output - 1e8)
    np.testing.assert_allclose(g.dW[0], [[1e308], [1e308]], rtol=1e-15)
    assert g.loss == pytest.approx(5e15)


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (200, 100), (5000, 7)])
def test_the_fast_sigmoid_rules_equal_their_plain_formulas_to_the_last_bit(shape: tuple[int, int]) -> None:
    """The in-place, block-by-block rules compute exactly the numbers of the formulas as they read."""
    rng = np.random.default_rng(shape[0])
    Z = rng.normal(scale=20.0, size=shape)
    Z.flat[: min(Z.size, 4)] = [0.0, -0.0, 800.0, -800.0][: min(Z.size, 4)]
    np.testing.assert_array_equal(sigmoid(Z), activations.sigmoid_reference(Z))
    dA = rng.normal(size=shape)
    fast = ACTIVATIONS["sigmoid"].backward(dA, Z, sigmoid(Z))
    np.testing.assert_array_equal(fast, dA * sigmoid(Z) * activations.sigmoid_reference(-Z))
    np.testing.assert_allclose(fast, dA * activations.sigmoid_derivative_reference(Z), rtol=4e-16, atol=0.0)
