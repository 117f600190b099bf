"""The gradient check's ratings mean the same over the whole allowed ε range (issue 13).

Before the error model, ε = 1e-2 failed 8 of 20 correct random networks (truncation ∝ ε²) and ε = 1e-10
rated entries with a plain relative error of 5e-4 "fine". Now every correct network passes at every ε
and a wrong backward rule fails at every ε; "fine" needs a sharp difference.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gradcore import ACTIVATIONS, Layer, check_gradients
from gradcore.core.types import Array

EPSILONS = [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]


def network(seed: int) -> tuple[list[Layer], Array, Array]:
    """A random n_0 → n_1 → n_2 network (sigmoid or tanh hidden, sigmoid output), some with biases."""
    rng = np.random.default_rng(seed)
    n0, n1, n2 = (int(n) for n in rng.integers(1, 5, size=3))
    m = int(rng.integers(1, 6))
    hidden = ["sigmoid", "tanh"][seed % 2]
    layers = [
        Layer(
            W=rng.normal(size=(n0, n1)) * rng.uniform(0.5, 3.0),
            activation=hidden,
            b=rng.normal(size=n1) if seed % 3 == 0 else None,
        ),
        Layer(W=rng.normal(size=(n1, n2)) * rng.uniform(0.5, 3.0), activation="sigmoid"),
    ]
    return layers, rng.normal(size=(m, n0)) * 2.0, rng.uniform(size=(m, n2))


NETWORKS = [network(seed) for seed in range(20)]


@pytest.mark.parametrize("epsilon", EPSILONS)
def test_every_correct_network_passes_at_every_epsilon(epsilon: float) -> None:
    results = [check_gradients(layers, X, Y, epsilon=epsilon) for layers, X, Y in NETWORKS]
    assert [result.passed for result in results] == [True] * len(NETWORKS)
    for result in results:
        for layer in result.layers:
            assert layer.failing == ()
            assert layer.worst is not None
            if layer.rating == "fine":
                assert layer.max_relative_error <= 1e-4


def test_fine_means_a_sharp_difference() -> None:
    """At ε = 1e-10 round-off makes the difference good to ~1e-4 at best: no layer may call that fine."""
    for layers, X, Y in NETWORKS:
        for layer in check_gradients(layers, X, Y, epsilon=1e-10).layers:
            assert layer.rating == ("fine" if layer.max_relative_error <= 1e-4 else "acceptable")
    ratings = [layer.rating for layers, X, Y in NETWORKS for layer in check_gradients(layers, X, Y).layers]
    assert ratings.count("fine") >= 0.9 * len(ratings)  # at the default ε nearly all are fine


@pytest.mark.parametrize("slip", [1.001, 0.0])
@pytest.mark.parametrize("epsilon", EPSILONS)
def test_a_broken_backward_rule_fails_at_every_epsilon(
    monkeypatch: pytest.MonkeyPatch, epsilon: float, slip: float
) -> None:
    """sigmoid's backward rule off by 0.1 %, or with (1 − l) forgotten (slip 0): the check fails every network."""
    sigmoid = ACTIVATIONS["sigmoid"]

    def broken(dA: Array, Z: Array, A: Array) -> Array:
        result: Array = dA * A * ((1.0 - A) * slip if slip else 1.0)
        return result

    monkeypatch.setitem(ACTIVATIONS, "sigmoid", replace(sigmoid, backward_in_place=broken))
    for layers, X, Y in NETWORKS:
        result = check_gradients(layers, X, Y, epsilon=epsilon)
        assert not result.passed
        failing = [layer for layer in result.layers if not layer.passed]
        for layer in failing:
            assert layer.rating == "problem"
            assert 0 < len(layer.failing) <= 20
            assert layer.failing_count >= len(layer.failing)
            assert layer.worst is not None
            assert layer.worst.unexplained_error > 1e-4
            assert all(entry.unexplained_error > 1e-4 for entry in layer.failing)
