"""How much float64 round-off there is in a computed loss: the round-off half of a gradient check's error model.

A central difference n = (L(θ + ε) − L(θ − ε)) / 2ε divides the rounding errors of
the two losses by 2ε, so n carries an error of about δL / ε, where δL bounds the
error of one evaluation of L. :func:`loss_roundoff` bounds δL to first order from
one forward and backward pass (u = 2⁻⁵², the float64 machine epsilon):

    δL ≈ u · ( N·|L|                                           the sum of the loss's N = m·n_L terms
             + Σ_k (n_{k−1} + 2) · Σ |Δ_k| * (|l_{k−1}| · |W_k| + |b_k|)   each z_k = l_{k−1} · W_k + b_k
             + Σ_k Σ |∂L/∂l_k| * |l_k| )                      each l_k = f_k(z_k), to a few units of u

(Δ_k = ∂L/∂z_k; a dot product of n terms is exact to n·u of the sum of its absolute terms.)

The same bound covers the losses of the moved networks as :mod:`gradcore.gradcheck.differences` computes
them, many at once:

* a loss is a sum of N terms of one sign (squares, −y log ŷ, softplus(z) − y z = y softplus(−z) + (1 − y)
  softplus(z)), and a sum of N terms in any order is exact to (N − 1)·u·Σ|terms| = (N − 1)·u·|L|: the
  first term holds whatever order numpy picks for a batch;
* the moved z_k = z_k⁰ + d · l_{k−1}[:, i] and the next z_{k+1} = z_{k+1}⁰ + (l_k[:, j] − l_k⁰[:, j]) ⊗
  W_{k+1}[j, :] take the unmoved z⁰ (its error shared by the two losses of a difference) and at most two
  more roundings of a number no larger than |l_{k−1}| · |W_k| + |b_k|, within the n_{k−1} + 2 counted;
* l_k[:, j] − l_k⁰[:, j] rounds once more, by u of a number below 2|l_k|, within the "few units" of f_k.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradcore.core.types import Array, Cache, Gradients, Layer

U = float(np.finfo(np.float64).eps)


def _output_sensitivity(A: Array, Y: Array, name: str) -> Array:
    """|∂L/∂ŷ| * |ŷ|: how much a relative error u in ŷ moves L, over u."""
    m, n_L = Y.shape
    if name == "half_squared_error":
        dA = np.abs(A - Y)
    elif name == "mean_squared_error":
        dA = 2.0 * np.abs(A - Y) / (m * n_L)
    elif name == "binary_cross_entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            dA = np.abs(A - Y) / np.maximum(A * (1.0 - A), np.finfo(np.float64).tiny) / (m * n_L)
    else:  # cross_entropy and anything else: −y / (m ŷ)
        with np.errstate(divide="ignore", invalid="ignore"):
            dA = np.abs(Y) / np.maximum(np.abs(A), np.finfo(np.float64).tiny) / m
    result: Array = dA * np.abs(A)
    return result


def loss_roundoff(layers: Sequence[Layer], cache: Cache, grads: Gradients, Y: Array, name: str) -> float:
    """A first-order bound δL on the float64 rounding error of one evaluation of L (see the module docstring).

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 (n_0 × n_1) first.
    cache : Cache
        Its forward pass on X (m × n_0).
    grads : Gradients
        Its backward pass: the loss L and Δ_k (m × n_k).
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.

    Returns
    -------
    float
        δL ≥ 0.
    """
    total = Y.size * abs(grads.loss)
    inputs = (cache.X, *cache.A[:-1])
    for k, layer in enumerate(layers):
        magnitude = np.abs(inputs[k]) @ np.abs(layer.W)
        if layer.b is not None:
            magnitude = magnitude + np.abs(layer.b)
        total += (layer.W.shape[0] + 2) * float(np.sum(np.abs(grads.delta[k]) * magnitude))
        if k + 1 < len(layers):
            dA = np.abs(grads.delta[k + 1]) @ np.abs(layers[k + 1].W.T)
            total += float(np.sum(dA * np.abs(cache.A[k])))
    total += float(np.sum(_output_sensitivity(cache.output, Y, name)))
    return U * total if np.isfinite(total) else float("inf")
