"""A quantity computed from a learner's own earlier values, and how far the rounding of those values moves it.

For error carried forward (:mod:`gradcore.teaching.grading`), each step of the seed's formulas is computed from
the values the learner wrote (the true ones where they gave none), and with it its spread
(:mod:`gradcore.teaching.spread`):

    z_k = l_{k−1} · W_k (+ b_k);   l_k = f_k(z_k), ŷ = f_L(z_L);   L from ŷ;   Δ_L from ŷ and z_L;
    Δ_k = (Δ_{k+1} · W_{k+1}ᵀ) * f′_k(z_k) (f′ from l_k when given, else f_k(z_k));
    ∂L/∂W_k = l_{k−1}ᵀ · Δ_k;   ∂L/∂b_k = Σ_rows Δ_k.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.losses import LOSSES
from gradcore.core.types import Array, Layer
from gradcore.teaching.answers import Key
from gradcore.teaching.spread import elementwise_spread, product_spread, softmax_spread

Given = Callable[[Key], tuple[Array, Array]]
"""The learner's value of a quantity (oriented like the true one; the true one where they gave none) and its
radius."""


def loss_terms(name: str, Y: Array, A: Array) -> Array:
    """The terms of L from ŷ = A, one per entry, as the learner computes them (L is their sum)."""
    if name == "binary_cross_entropy":
        terms: Array = -(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.size
    elif name == "cross_entropy":
        terms = -(Y * np.log(A)) / len(A)
    else:
        squares = np.square(Y - A)
        terms = 0.5 * squares if name == "half_squared_error" else squares / A.size
    return terms


def own_value(
    key: Key, layers: Sequence[Layer], Y: Array, name: str, given: Given, answered: Callable[[Key], bool]
) -> tuple[Array, Array, list[tuple[tuple[int, ...], Array]]]:
    """K, the quantity ``key`` from ``given`` values, its spread, and its alternative with this step's f′ left out.

    Parameters
    ----------
    key : Key
        The quantity.
    layers : sequence of Layer
        The network.
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        The loss, a key of :data:`gradcore.LOSSES`.
    given : callable
        The learner's value of an earlier quantity and its radius (:data:`Given`).
    answered : callable
        Whether the learner gave a quantity (l_k, whose f′ then comes from it).

    Returns
    -------
    (ndarray, ndarray, list of (tuple of int, ndarray))
        K, its spread (the shape of K), and ``((k,), value)`` for the step with f′_k left out (Δ_k), if any.
    """
    kind, k = key
    L = len(layers)
    local: list[tuple[tuple[int, ...], Array]] = []
    with np.errstate(all="ignore"):
        if kind == "pre_activation":
            (A, r_A), W, b = given(("activation", k - 1)), layers[k - 1].W, layers[k - 1].b
            return A @ W + (0.0 if b is None else b), product_spread(A, r_A, W, np.zeros(W.shape)), local
        if kind in ("activation", "output"):
            j = k if kind == "activation" else L
            f = ACTIVATIONS[layers[j - 1].activation]
            Z, r_Z = given(("pre_activation", j))
            K = f.forward(Z)
            spread = softmax_spread(K, r_Z) if f.name == "softmax" else elementwise_spread(f.forward, [Z], [r_Z])
            return K, spread, local
        if kind == "loss":
            given(("pre_activation", L))  # L reads ŷ; z_L is noted as used, as for Δ_L
            A, r_A = given(("output", 0))

            def terms(A: Array) -> Array:
                return loss_terms(name, Y, A)

            return np.array(terms(A).sum()), np.array(elementwise_spread(terms, [A], [r_A]).sum()), local
        if kind == "delta" and k == L:
            (Z, r_Z), (A, r_A) = given(("pre_activation", L)), given(("output", 0))
            loss, f = LOSSES[name], ACTIVATIONS[layers[-1].activation]

            def delta(Z: Array, A: Array) -> Array:
                return loss.delta(Z, A.copy(), Y, f)

            if loss.requires is None and f.name != "linear":
                local.append(((L,), loss.delta(Z, A.copy(), Y, ACTIVATIONS["linear"])))
            return delta(Z, A), elementwise_spread(delta, [Z, A], [r_Z, r_A]), local
        if kind == "delta":
            (D, r_D), W = given(("delta", k + 1)), layers[k].W
            upstream, r_up = D @ W.T, r_D @ np.abs(W.T)
            f = ACTIVATIONS[layers[k - 1].activation]
            Z, r_Z = given(("pre_activation", k))
            if f.name != "linear":
                local.append(((k,), upstream))
            if answered(("activation", k)):
                A, r_A = given(("activation", k))
                return (
                    f.backward(upstream, Z, A),
                    elementwise_spread(f.backward, [upstream, Z, A], [r_up, r_Z, r_A]),
                    local,
                )

            def back(U: Array, Z: Array) -> Array:
                return f.backward(U, Z, f.forward(Z))

            return back(upstream, Z), elementwise_spread(back, [upstream, Z], [r_up, r_Z]), local
        if kind == "weights_gradient":
            (A, r_A), (D, r_D) = given(("activation", k - 1)), given(("delta", k))
            return A.T @ D, product_spread(A.T, r_A.T, D, r_D), local
        D, r_D = given(("delta", k))
        return D.sum(axis=0), r_D.sum(axis=0), local
