"""The derivation's values against an independent computation: the seed's formulas in numpy, and the
loss's central differences for every ∂L/∂W_k and ∂L/∂b_k (never ``forward``/``backward``'s own passes)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradcore import Layer
from gradcore.teaching.derivation import derive


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def loss_of(Ws: list[np.ndarray], bs: list[np.ndarray], X: np.ndarray, Y: np.ndarray) -> float:
    A = X
    for W, b in zip(Ws, bs, strict=True):
        A = sig(A @ W + b)
    return float(0.5 * np.sum((Y - A) ** 2))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_derivation_values_match_the_seeds_formulas_and_central_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = [3, 3, 4, 2]
    Ws = [rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes)]
    bs = [rng.normal(size=b) for b in sizes[1:]]
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    steps = derive([Layer(W=W, b=b) for W, b in zip(Ws, bs, strict=True)], X, Y)
    values = {(step.kind, step.layer): np.asarray(step.value) for step in steps}
    ls, zs = [X], []
    for W, b in zip(Ws, bs, strict=True):
        zs.append(ls[-1] @ W + b)
        ls.append(sig(zs[-1]))
    deltas = {3: (ls[3] - Y) * ls[3] * (1 - ls[3])}
    for k in (2, 1):
        deltas[k] = (deltas[k + 1] @ Ws[k].T) * ls[k] * (1 - ls[k])
    for k in (1, 2, 3):
        np.testing.assert_allclose(values[("pre_activation", k)], zs[k - 1], rtol=1e-12)
        np.testing.assert_allclose(values[("activation", k)], ls[k], rtol=1e-12)
        np.testing.assert_allclose(values[("delta", k)], deltas[k], rtol=1e-10, atol=1e-15)
    assert float(values[("loss", None)]) == pytest.approx(loss_of(Ws, bs, X, Y), rel=1e-12)
    h = 1e-6
    for k in (1, 2, 3):
        for kind, params in (("weights_gradient", Ws), ("bias_gradient", bs)):
            numerical = np.zeros_like(params[k - 1])
            for i in np.ndindex(params[k - 1].shape):
                saved = params[k - 1][i]
                params[k - 1][i] = saved + h
                plus = loss_of(Ws, bs, X, Y)
                params[k - 1][i] = saved - h
                minus = loss_of(Ws, bs, X, Y)
                params[k - 1][i] = saved
                numerical[i] = (plus - minus) / (2 * h)
            np.testing.assert_allclose(values[(kind, k)], numerical, rtol=1e-5, atol=1e-9)
