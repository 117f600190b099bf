"""Forward and backward passes of a fully connected network of any depth.

Notation of the seed notes: one example is a row, X is m × n_0, layer k has
weights W_k (n_{k−1} × n_k), an optional bias b_k (n_k) and an activation f_k:

    A_0 = X,   Z_k = A_{k−1} · W_k (+ b_k),   A_k = f_k(Z_k),   ŷ = A_L.

Backward, from Δ_L = ∂L/∂Z_L given by the loss:

    ∂L/∂W_k = A_{k−1}ᵀ · Δ_k        (n_{k−1} × m) · (m × n_k) = n_{k−1} × n_k
    ∂L/∂b_k = Σ_rows Δ_k            n_k
    Δ_{k−1} = f′_{k−1}(Δ_k · W_kᵀ)  (m × n_k) · (n_k × n_{k−1}) = m × n_{k−1}
    ∂L/∂X   = Δ_1 · W_1ᵀ            (m × n_1) · (n_1 × n_0) = m × n_0   (:func:`input_gradient`)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.losses import LOSSES
from gradcore.core.shapes import all_finite, non_finite_error, raise_if_non_finite, raise_if_problems, shape_problems
from gradcore.core.types import Array, Cache, Gradients, Layer


def parameter_count(layers: Sequence[Layer]) -> int:
    """The number of weights and biases: Σ_k n_{k−1}·n_k, plus n_k for every layer with a bias."""
    return sum(layer.W.size + (0 if layer.b is None else layer.b.size) for layer in layers)


def forward(layers: Sequence[Layer], X: Array) -> Cache:
    """Run the forward pass.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs, one example per row.

    Returns
    -------
    Cache
        Z_k and A_k for every layer.

    Raises
    ------
    ShapeError
        If the shapes do not chain: W_1 must be n_0 × n_1, W_{k+1} must be
        n_k × n_{k+1}, b_k must have n_k entries.
    NonFiniteError
        If some Z_k or A_k overflows float64.
    """
    raise_if_problems(shape_problems(layers, X))
    return unchecked_forward(layers, X)


def unchecked_forward(layers: Sequence[Layer], X: Array) -> Cache:
    """:func:`forward` without the shape checks, for callers that checked the shapes once already.

    Used by the loops of :mod:`gradcore.core.training` and :mod:`gradcore.gradcheck.check`, which
    run many passes over one network whose shapes do not change.
    """
    Z: list[Array] = []
    A: list[Array] = []
    A_prev = X
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in layers:
            Z_k = A_prev @ layer.W
            if layer.b is not None:
                Z_k = Z_k + layer.b
            A_prev = ACTIVATIONS[layer.activation].forward(Z_k)
            Z.append(Z_k)
            A.append(A_prev)
        finite = all_finite(Z + A)
    if not finite:
        for k, (Z_k, A_k) in enumerate(zip(Z, A, strict=True)):
            raise_if_non_finite(Z_k, ("layers", k, "pre_activation"), f"z_{k + 1}")
            raise_if_non_finite(A_k, ("layers", k, "activation"), f"l_{k + 1}")
    return Cache(X=X, Z=tuple(Z), A=tuple(A))


def loss(layers: Sequence[Layer], cache: Cache, Y: Array, name: str = "half_squared_error") -> float:
    """Evaluate the loss L(ŷ, Y) of a forward pass.

    Parameters
    ----------
    layers : sequence of Layer
        The network that produced ``cache``.
    cache : Cache
        The result of :func:`forward`.
    Y : ndarray, shape (m, n_L)
        The targets, one example per row.
    name : str
        A key of :data:`gradcore.LOSSES`.

    Returns
    -------
    float
        The loss, finite.
    """
    raise_if_problems(shape_problems(layers, cache.X, Y, name))
    return unchecked_loss(cache, Y, name)


def unchecked_loss(cache: Cache, Y: Array, name: str = "half_squared_error") -> float:
    """:func:`loss` without the shape checks, for callers that checked the shapes once already."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_loss(cache, Y, name)


def _finite_loss(cache: Cache, Y: Array, name: str) -> float:
    """The loss L, or a :class:`~gradcore.core.errors.NonFiniteError`; call under ``np.errstate(over=…, invalid=…)``."""
    value = LOSSES[name].value(cache.Z[-1], cache.output, Y)
    if not math.isfinite(value):
        raise non_finite_error(("loss",), "the loss L")
    return value


def backward(layers: Sequence[Layer], cache: Cache, Y: Array, name: str = "half_squared_error") -> Gradients:
    """Run the backward pass (backpropagation).

    Parameters
    ----------
    layers, cache, Y, name
        As for :func:`loss`: the network, its forward pass, the targets (m × n_L) and the loss.

    Returns
    -------
    Gradients
        The loss, every Δ_k, ∂L/∂W_k and ∂L/∂b_k.

    Raises
    ------
    ShapeError
        If Y is not m × n_L or the loss does not fit the last activation.
    NonFiniteError
        If some result overflows float64.
    """
    raise_if_problems(shape_problems(layers, cache.X, Y, name))
    return unchecked_backward(layers, cache, Y, name)


def unchecked_backward(layers: Sequence[Layer], cache: Cache, Y: Array, name: str = "half_squared_error") -> Gradients:
    """:func:`backward` without the shape checks, for callers that checked the shapes once already."""
    L = len(layers)
    delta: list[Array] = [np.empty(0)] * L
    dW: list[Array] = [np.empty(0)] * L
    db: list[Array | None] = [None] * L
    with np.errstate(over="ignore", invalid="ignore"):
        value = _finite_loss(cache, Y, name)
        last = ACTIVATIONS[layers[-1].activation]
        delta_k = LOSSES[name].delta(cache.Z[-1], cache.output, Y, last)
        for k in range(L - 1, -1, -1):
            A_prev = cache.A[k - 1] if k > 0 else cache.X
            delta[k] = delta_k
            dW[k] = A_prev.T @ delta_k
            if layers[k].b is not None:
                db[k] = delta_k.sum(axis=0)
            if k > 0:
                f = ACTIVATIONS[layers[k - 1].activation]
                delta_k = f.backward_in_place(delta_k @ layers[k].W.T, cache.Z[k - 1], cache.A[k - 1])
        finite = all_finite([*delta, *dW, *(db_k for db_k in db if db_k is not None)])
    if not finite:
        for k in range(L):
            raise_if_non_finite(delta[k], ("layers", k, "delta"), f"Δ_{k + 1}")
            raise_if_non_finite(dW[k], ("layers", k, "weights_gradient"), f"∂L/∂W_{k + 1}")
            db_k = db[k]
            if db_k is not None:
                raise_if_non_finite(db_k, ("layers", k, "bias_gradient"), f"∂L/∂b_{k + 1}")
    return Gradients(loss=value, delta=tuple(delta), dW=tuple(dW), db=tuple(db))


def input_gradient(layers: Sequence[Layer], grads: Gradients) -> Array:
    """The gradient of the loss with respect to the inputs, ∂L/∂X = Δ_1 · W_1ᵀ.

    The step of backpropagation that would give a "Δ_0": X enters z_1 = X · W_1 (+ b_1) only,
    so ∂L/∂X = (∂L/∂z_1) · W_1ᵀ. What saliency maps and adversarial examples need.

    Parameters
    ----------
    layers : sequence of Layer
        The network that produced ``grads``; only W_1, shape (n_0, n_1), is used.
    grads : Gradients
        The result of :func:`backward`; only Δ_1, shape (m, n_1), is used.

    Returns
    -------
    ndarray, shape (m, n_0)
        ∂L/∂X, the shape of X: (m × n_1) · (n_1 × n_0) = m × n_0.

    Raises
    ------
    NonFiniteError
        If the product overflows float64.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        dX: Array = grads.delta[0] @ layers[0].W.T
    raise_if_non_finite(dX, ("input_gradient",), "∂L/∂X")
    return dX
