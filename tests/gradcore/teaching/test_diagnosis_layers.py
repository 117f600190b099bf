"""gradcore.teaching.diagnosis on deeper networks with biases: which layer a verdict names, for weights and biases.

The claims are built here in numpy (:class:`sigmoid_net.DeepNet`, the seed's formulas), written to 4 significant
digits as a person would; σ′_j left out at layer j changes Δ_j and every Δ_k below it, so it changes ∂L/∂W_k and
∂L/∂b_k exactly for k ≤ j.
"""

from __future__ import annotations

import numpy as np
import pytest
from sigmoid_net import DeepNet

from gradcore import Layer, NonFiniteError, ShapeError
from gradcore.teaching.diagnosis import diagnose
from gradcore.teaching.rounding import entries_within

L = 3
PAIRS = [(k, j) for k in range(1, L + 1) for j in range(k, L + 1)]
"""(k, j): a claim of layer k's gradient with σ′_j left out, j ≥ k."""


def written(A: np.ndarray, d: int = 4) -> np.ndarray:
    """A rounded to d significant digits, as a person writes it (through the decimal text)."""
    return np.vectorize(lambda v: float(f"{v:.{d - 1}e}"))(A)


def far(A: np.ndarray, B: np.ndarray) -> bool:
    """A is not B even at 2 significant digits."""
    return not bool(np.all(entries_within(A, B, 2)))


@pytest.mark.parametrize(("k", "j"), PAIRS)
def test_a_weights_gradient_without_one_sigma_prime_names_that_layer(k: int, j: int) -> None:
    net = DeepNet()
    dW, _ = net.gradients()
    wrong = net.gradients(frozenset({j}))[0][k - 1]
    assert far(wrong, dW[k - 1])
    claims = [written(wrong if i == k - 1 else T) for i, T in enumerate(dW)]
    weights, _ = diagnose(net.layers, net.X, net.Y, claims)
    assert [w.verdict for w in weights] == [
        "missing_activation_derivative" if i == k else "correct" for i in range(1, L + 1)
    ]
    assert (weights[k - 1].missing_at_layer, weights[k - 1].missing_at_layers) == (j, (j,))
    assert f"f′_{j}(z_{j})" in weights[k - 1].hint


@pytest.mark.parametrize(("k", "j"), PAIRS)
def test_a_bias_gradient_without_one_sigma_prime_names_that_layer(k: int, j: int) -> None:
    net = DeepNet()
    dW, db = net.gradients()
    wrong = net.gradients(frozenset({j}))[1][k - 1]
    assert far(wrong, db[k - 1])
    claimed_db = [written(wrong) if i == k - 1 else None for i in range(L)]
    weights, biases = diagnose(net.layers, net.X, net.Y, [written(T) for T in dW], claimed_db)
    assert [w.verdict for w in weights] == ["correct"] * L
    assert [b is None for b in biases] == [i != k - 1 for i in range(L)]
    found = biases[k - 1]
    assert found is not None
    assert found.verdict == "missing_activation_derivative"
    assert (found.missing_at_layer, found.missing_at_layers) == (j, (j,))
    assert f"∂L/∂b_{k}" in found.hint
    np.testing.assert_allclose(found.expected, db[k - 1], rtol=1e-12)


def test_a_bias_gradient_without_two_sigma_primes_names_both_layers() -> None:
    net = DeepNet()
    dW, _ = net.gradients()
    wrong = net.gradients(frozenset({1, 3}))[1][0]
    _, biases = diagnose(net.layers, net.X, net.Y, [written(T) for T in dW], [written(wrong), None, None])
    assert biases[0] is not None
    assert (biases[0].verdict, set(biases[0].missing_at_layers)) == ("missing_activation_derivative", {1, 3})


def test_a_sigma_prime_below_the_layer_changes_nothing_there() -> None:
    """σ′_1 left out changes Δ_1 only: ∂L/∂W_2 and ∂L/∂b_2 claimed that way are the true ones."""
    net = DeepNet()
    (dW, _), (dW_no1, db_no1) = net.gradients(), net.gradients(frozenset({1}))
    np.testing.assert_allclose(dW_no1[1], dW[1], rtol=1e-12)
    weights, biases = diagnose(net.layers, net.X, net.Y, [written(T) for T in dW_no1], [None, written(db_no1[1]), None])
    assert [w.verdict for w in weights] == ["missing_activation_derivative", "correct", "correct"]
    assert biases[1] is not None
    assert biases[1].verdict == "correct"


def test_a_transposed_weights_gradient_names_its_products_at_its_layer() -> None:
    """∂L/∂W_2 = l_1ᵀ · Δ_2 (4 × 3); its transpose is Δ_2ᵀ · l_1 (3 × 4)."""
    net = DeepNet()
    dW, _ = net.gradients()
    weights, _ = diagnose(net.layers, net.X, net.Y, [dW[0], dW[1].T, dW[2]])
    assert weights[1].verdict == "transposed"
    assert "Δ_2ᵀ · l_1 (3 × 4)" in weights[1].hint
    assert "l_1ᵀ · Δ_2 (4 × 3, the shape of W_2)" in weights[1].hint


def test_a_bias_gradient_scaled_by_an_unusual_factor_is_scaled_by_it() -> None:
    net = DeepNet()
    dW, db = net.gradients()
    _, biases = diagnose(net.layers, net.X, net.Y, dW, [None, written(3.7 * db[1]), None])
    assert biases[1] is not None
    assert (biases[1].verdict, biases[1].mistakes) == ("scaled", ("scaled",))
    assert biases[1].factor == pytest.approx(3.7, rel=5e-4)
    assert "∂L/∂b_2" in biases[1].hint
    assert "none of the usual causes" in biases[1].hint


def test_a_factor_near_a_usual_one_names_the_losss_cause() -> None:
    """2.005 · T is not 2 · T (0.25 % off, beyond rtol = 0.1 %), but |α − 2| ≤ 10 · rtol · 2 names the dropped ½."""
    net = DeepNet()
    dW, _ = net.gradients()
    weights, _ = diagnose(net.layers, net.X, net.Y, [2.005 * T for T in dW])
    assert [w.verdict for w in weights] == ["scaled"] * L
    assert weights[0].factor == pytest.approx(2.005, rel=1e-9)
    assert "the ½ of L = Σ ½ (y − ŷ)² dropped" in weights[0].hint


def test_a_bias_claim_of_the_wrong_shape_is_a_shape_error() -> None:
    net = DeepNet()
    dW, db = net.gradients()
    with pytest.raises(ShapeError) as info:
        diagnose(net.layers, net.X, net.Y, dW, [db[0], np.ones(4), None])
    assert [p.location for p in info.value.problems] == [("claimed_bias_gradients", 1)]


def test_a_bias_claim_whose_error_overflows_is_a_non_finite_error() -> None:
    """Two linear layers, x = 1e-307, w_1 = 1, b_1 = 0, w_2 = 1e307, y = 0: ŷ = 1, Δ_2 = 1, Δ_1 = Δ_2 · w_2 = 1e307,
    so ∂L/∂b_1 = 1e307; a claim of −1.79e308 is 1.89e308 off, beyond float64."""
    layers = [
        Layer(W=np.array([[1.0]]), b=np.array([0.0]), activation="linear"),
        Layer(W=np.array([[1e307]]), activation="linear"),
    ]
    X, Y = np.array([[1e-307]]), np.array([[0.0]])
    claims = [np.array([[1.0]]), np.array([[1e-307]])]
    weights, biases = diagnose(layers, X, Y, claims, [np.array([1e307]), None])
    assert [w.verdict for w in weights] == ["correct", "correct"]
    assert biases[0] is not None
    assert biases[0].verdict == "correct"
    _, biases = diagnose(layers, X, Y, claims, [np.array([1.79e308]), None])  # 1.69e308 off: finite
    assert biases[0] is not None
    assert biases[0].verdict == "incorrect"
    assert biases[0].max_abs_error == pytest.approx(1.79e308 - 1e307, rel=1e-12)
    with pytest.raises(NonFiniteError) as info:
        diagnose(layers, X, Y, claims, [np.array([-1.79e308]), None])
    [problem] = info.value.problems
    assert problem.location == ("claimed_bias_gradients", 0)
    assert "claimed ∂L/∂b_1 " in problem.message
    assert "overflows" in problem.message


def test_a_weights_claim_whose_error_overflows_names_its_layer() -> None:
    """Two linear layers, x = 1e154, w_1 = 1, w_2 = 0.1, y = 0: l_1 = 1e154, ŷ = 1e153, so ∂L/∂W_2 = l_1 · ŷ = 1e307
    and ∂L/∂W_1 = x · ŷ · w_2 = 1e306; a claim of −1.79e308 for ∂L/∂W_2 is 1.89e308 off, beyond float64."""
    layers = [Layer(W=np.array([[1.0]]), activation="linear"), Layer(W=np.array([[0.1]]), activation="linear")]
    X, Y = np.array([[1e154]]), np.array([[0.0]])
    weights, _ = diagnose(layers, X, Y, [np.array([[1e306]]), np.array([[1e307]])])
    assert [w.verdict for w in weights] == ["correct", "correct"]
    with pytest.raises(NonFiniteError) as info:
        diagnose(layers, X, Y, [np.array([[1e306]]), np.array([[-1.79e308]])])
    [problem] = info.value.problems
    assert problem.location == ("claimed_gradients", 1)
    assert "claimed ∂L/∂W_2 " in problem.message
    assert "overflows" in problem.message
