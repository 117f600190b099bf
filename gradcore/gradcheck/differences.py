"""Central differences of the loss in every entry of a weight matrix or bias, for :mod:`gradcore.gradcheck.check`.

    D(h) = (L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))

with the step actually taken (rounding can make it differ from 2h), and whether the
difference straddles a relu kink (the sign pattern z > 0 of some relu layer differs
between the θ + h and the θ − h passes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from gradcore.core.errors import GradcoreError, Problem
from gradcore.core.network import unchecked_forward, unchecked_loss
from gradcore.core.types import Array, Cache, Layer

Mask = NDArray[np.bool_]


def _relu_pattern(layers: Sequence[Layer], cache: Cache) -> list[Mask]:
    return [Z > 0.0 for Z, layer in zip(cache.Z, layers, strict=True) if layer.activation == "relu"]


def difference(
    value: Array,
    index: tuple[int, ...],
    step: float,
    network: Callable[[Array], list[Layer]],
    X: Array,
    Y: Array,
    name: str,
) -> tuple[float, bool]:
    """D(step) in the entry ``index`` of ``value`` (``network(value)`` builds the layers) and whether it straddles
    a relu kink."""
    results = []
    for sign in (1.0, -1.0):
        moved = value.copy()
        moved[index] += sign * step
        trial = network(moved)  # the same shapes as the checked network: no need to check them again
        cache = unchecked_forward(trial, X)
        results.append((moved[index], unchecked_loss(cache, Y, name), _relu_pattern(trial, cache)))
    (up, L_up, pattern_up), (down, L_down, pattern_down) = results
    if up == down:
        raise GradcoreError(
            [
                Problem(
                    ("epsilon",),
                    f"the step ε = {step:g} vanishes next to an entry {value[index]:g}: "
                    "θ ± ε rounds to θ; use a larger epsilon",
                )
            ]
        )
    kink = any((p != q).any() for p, q in zip(pattern_up, pattern_down, strict=True))
    return (L_up - L_down) / (up - down), kink


def central_differences(
    value: Array, network: Callable[[Array], list[Layer]], X: Array, Y: Array, name: str, epsilon: float
) -> tuple[Array, Array, Mask]:
    """D(ε) and |D(2ε) − D(ε)| / 3 in every entry of ``value``, and the kinks of D(ε)."""
    numerical = np.zeros_like(value)
    truncation = np.zeros_like(value)
    kinks = np.zeros(value.shape, dtype=np.bool_)
    for index in np.ndindex(value.shape):
        numerical[index], kinks[index] = difference(value, index, epsilon, network, X, Y, name)
        double, _ = difference(value, index, 2.0 * epsilon, network, X, Y, name)
        truncation[index] = abs(double - numerical[index]) / 3.0
    return numerical, truncation, kinks
