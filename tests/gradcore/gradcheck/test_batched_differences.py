"""gradcore.gradcheck.differences: the moved networks of a chunk, computed together, against one full pass each."""

from __future__ import annotations

import numpy as np
import pytest
from test_finite_differences import ACTIVATION_NAMES, LOSS_NAMES, build_network

from gradcore import Layer, NonFiniteError, check_gradients, unchecked_backward, unchecked_forward, unchecked_loss
from gradcore.core.types import Array
from gradcore.gradcheck.differences import difference, moved_losses, moved_network
from gradcore.gradcheck.roundoff import loss_roundoff


def parameters(layers: list[Layer]) -> list[tuple[int, str, Array]]:
    found = [(k, "W", layer.W) for k, layer in enumerate(layers)]
    return found + [(k, "b", layer.b) for k, layer in enumerate(layers) if layer.b is not None]


@pytest.mark.parametrize("bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_batched_losses_are_the_losses_of_the_moved_networks(
    depth: int, activation: str, loss_name: str, bias: bool
) -> None:
    """Each batched L equals the L of a full forward pass of its moved network, to that loss's round-off bound δL."""
    layers, X, Y = build_network(11, depth, activation, loss_name, bias)
    cache = unchecked_forward(layers, X)
    rng = np.random.default_rng([depth, len(activation), len(loss_name), int(bias)])
    for k, parameter, value in parameters(layers):
        entries = rng.integers(0, value.size, size=9)
        moves = rng.normal(size=9) * 1e-3
        losses, patterns, finite = moved_losses(layers, cache, k, parameter, entries, moves, Y, loss_name)
        assert finite
        assert losses.shape == (9,)
        for b, (entry, move) in enumerate(zip(entries, moves, strict=True)):
            moved_value = value.copy()
            moved_value.flat[entry] += move
            trial = moved_network(layers, k, parameter, moved_value)
            trial_cache = unchecked_forward(trial, X)
            reference = unchecked_loss(trial_cache, Y, loss_name)
            grads = unchecked_backward(trial, trial_cache, Y, loss_name)
            bound = loss_roundoff(trial, trial_cache, grads, Y, loss_name)
            assert abs(losses[b] - reference) <= 2.0 * bound + 1e-300
            relu_z = [Z for Z, layer in list(zip(trial_cache.Z, trial, strict=True))[k:] if layer.activation == "relu"]
            assert len(patterns) == len(relu_z)
            for pattern, Z in zip(patterns, relu_z, strict=True):
                if pattern.shape[0] == 1:  # layer k itself: only the moved column
                    column = entry % layers[k].W.shape[1] if parameter == "W" else entry
                    np.testing.assert_array_equal(pattern[0, b], Z[:, column] > 0.0)
                else:
                    np.testing.assert_array_equal(pattern[:, b, :], (Z > 0.0).T)


def test_the_round_off_bound_is_not_vacuous() -> None:
    """The tolerance above is tight enough to tell a wrong batched loss: a move of 1e-9 is far beyond it."""
    layers, X, Y = build_network(11, 2, "tanh", "half_squared_error", True)
    cache = unchecked_forward(layers, X)
    bound = loss_roundoff(layers, cache, unchecked_backward(layers, cache, Y), Y, "half_squared_error")
    moved, _, _ = moved_losses(layers, cache, 0, "W", np.array([0]), np.array([1e-6]), Y, "half_squared_error")
    assert abs(moved[0] - unchecked_loss(cache, Y)) > 10.0 * bound


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax"])
def test_tiny_chunks_give_the_same_check(activation: str, loss_name: str) -> None:
    layers, X, Y = build_network(5, 3, activation, loss_name, True)
    whole = check_gradients(layers, X, Y, loss_name)
    for chunk_floats in (1, 7, 100):
        chunked = check_gradients(layers, X, Y, loss_name, chunk_floats=chunk_floats)
        for a, b in zip(whole.layers, chunked.layers, strict=True):
            tolerance = 2.0 * whole.roundoff / whole.epsilon
            np.testing.assert_allclose(b.numerical_dW, a.numerical_dW, rtol=0.0, atol=tolerance)
            assert (a.kinks, a.rating, a.failing_count) == (b.kinks, b.rating, b.failing_count)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_batched_differences_match_one_full_pass_per_side(activation: str) -> None:
    """D(ε) of the check against :func:`difference`, which runs the whole network twice per entry."""
    layers, X, Y = build_network(2, 3, activation, "half_squared_error", True)
    epsilon = 1e-5
    check = check_gradients(layers, X, Y, epsilon=epsilon)
    tolerance = 4.0 * check.roundoff / epsilon
    for k, layer_check in enumerate(check.layers):
        for index in np.ndindex(layers[k].W.shape):
            reference, _ = difference(layers, k, "W", index, epsilon, X, Y, "half_squared_error")
            assert layer_check.numerical_dW[index] == pytest.approx(reference, rel=0.0, abs=tolerance)
        numerical_db = layer_check.numerical_db
        assert numerical_db is not None
        for j in range(numerical_db.size):
            reference, _ = difference(layers, k, "b", (j,), epsilon, X, Y, "half_squared_error")
            assert numerical_db[j] == pytest.approx(reference, rel=0.0, abs=tolerance)


@pytest.mark.parametrize(("x", "location"), [(1e8, ("loss",)), (1e9, ("layers", 0, "pre_activation"))])
def test_a_moved_network_that_overflows_is_located(x: float, location: tuple[object, ...]) -> None:
    """At ε = 1e300 the moved z = x · (1 + ε) or its loss overflows float64, though the unmoved network is finite."""
    layers = [Layer(W=np.array([[1.0]]), activation="linear")]
    with pytest.raises(NonFiniteError) as info:
        check_gradients(layers, np.array([[x]]), np.array([[0.0]]), epsilon=1e300)
    assert info.value.problems[0].location == location
