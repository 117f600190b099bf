"""Exact Hessian–vector products by forward-over-reverse (Pearlmutter's R-operator).

R{·} = d/dt ·(θ + tV, X + tU) at t = 0 applied to the forward pass (:mod:`gradcore.core.tangents`) and then
to backpropagation. With D_k = ∂L/∂A_k (D_{k−1} = Δ_k · W_kᵀ) and Δ_k = J_{f_k}(Z_k)ᵀ D_k:

    R{Δ_L}        from the loss (below)
    R{∂L/∂W_k} = R{A_{k−1}}ᵀ · Δ_k + A_{k−1}ᵀ · R{Δ_k}         n_{k−1} × n_k
    R{∂L/∂b_k} = Σ_rows R{Δ_k}                                  n_k
    R{D_{k−1}} = R{Δ_k} · W_kᵀ + Δ_k · V_kᵀ                     m × n_{k−1}
    R{Δ_{k−1}} = J_fᵀ R{D_{k−1}} + R{J_f}ᵀ D_{k−1}               m × n_{k−1}
    R{∂L/∂X}   = R{D_0}                                          m × n_0

so (R{∂L/∂θ}, R{∂L/∂X}) = ∇²L · (V, U), the exact product with the Hessian of L in (θ, X): four passes, about
two gradients. The curvature term R{J_f}ᵀ D is f″(Z) * R{Z} * D for the element-wise activations (sigmoid:
f″ = σ′ (1 − 2σ); tanh: f″ = −2 tanh · tanh′; relu and linear: 0, relu's taken as 0 at its kink too) and,
for the softmax A = softmax(Z), whose VJP is A * (D − ⟨D, A⟩) row by row,
R{A} * (D − ⟨D, A⟩) − A * ⟨D, R{A}⟩.

R{Δ_L} of each loss: half squared error J_fᵀ R{A_L} + R{J_f}ᵀ (A_L − Y); mean squared error the same times
2/(m·n_L); binary cross-entropy after a sigmoid R{A_L}/(m·n_L); cross-entropy after a softmax R{A_L}/m.
For a weighted output Σ S * ŷ (UM-Bridge's sens), Δ_L = J_fᵀ S and R{Δ_L} = R{J_f}ᵀ S.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.errors import Problem, ShapeError
from gradcore.core.losses import LOSSES
from gradcore.core.network import unchecked_forward
from gradcore.core.shapes import all_finite, raise_if_non_finite, raise_if_problems, shape_problems
from gradcore.core.tangents import Direction, Tangent, direction_problems, input_direction_problems, tangents
from gradcore.core.types import Array, Cache, Gradients, Layer, describe


@dataclass(frozen=True)
class HessianVector:
    """The gradient of L and its product with the Hessian along (V, U).

    Attributes
    ----------
    output : ndarray, shape (m, n_L)
        The prediction ŷ = A_L.
    gradients : Gradients
        L (``loss``), Δ_k, ∂L/∂W_k and ∂L/∂b_k, as :func:`gradcore.backward` computes them.
    input_gradient : ndarray, shape (m, n_0)
        ∂L/∂X = Δ_1 · W_1ᵀ.
    dW : tuple of ndarray, shapes (n_{k−1}, n_k)
        R{∂L/∂W_k}, the W_k block of ∇²L · (V, U).
    db : tuple of (ndarray, shape (n_k,)) or None
        R{∂L/∂b_k} for the layers with a bias, ``None`` for the others.
    dX : ndarray, shape (m, n_0)
        R{∂L/∂X}, the X block of ∇²L · (V, U).
    """

    output: Array
    gradients: Gradients
    input_gradient: Array
    dW: tuple[Array, ...]
    db: tuple[Array | None, ...]
    dX: Array


def curvature(name: str, Z: Array, A: Array, D: Array, RZ: Array) -> Array:
    """R{J_f}ᵀ D: the derivative of the VJP D ↦ J_f(Z)ᵀ D along R{Z}, D held fixed; all arrays m × n.

    Element-wise f: f″(Z) * R{Z} * D. Softmax: R{A} * (D − ⟨D, A⟩) − A * ⟨D, R{A}⟩, the inner products
    row by row, with R{A} = A * (R{Z} − ⟨R{Z}, A⟩).
    """
    if name in ("relu", "linear"):
        return np.zeros_like(RZ)
    if name == "softmax":
        RA = A * (RZ - (RZ * A).sum(axis=1, keepdims=True))
        result: Array = RA * (D - (D * A).sum(axis=1, keepdims=True)) - A * (D * RA).sum(axis=1, keepdims=True)
        return result
    f_prime = ACTIVATIONS[name].backward(np.ones_like(Z), Z, A)
    second = f_prime * (1.0 - 2.0 * A) if name == "sigmoid" else -2.0 * A * f_prime  # sigmoid, tanh
    return second * RZ * D


Seed = Callable[[Cache, Tangent, Layer], tuple[float, Array, Array]]
"""``seed(cache, tangent, last layer) -> (value, Δ_L, R{Δ_L})``: where backpropagation and its R-operator start."""


def loss_seed(Y: Array, name: str) -> Seed:
    """The start of backpropagation for the loss ``name`` with targets Y (m × n_L), and its R-operator."""

    def seed(cache: Cache, tangent: Tangent, last: Layer) -> tuple[float, Array, Array]:
        Z, A, RZ, RA = cache.Z[-1], cache.output, tangent.Z[-1], tangent.output
        f = ACTIVATIONS[last.activation]
        value = LOSSES[name].value(Z, A, Y)
        delta = LOSSES[name].delta(Z, A, Y, f)
        # 1/(m·n_L) for the means over every element, 1/m for cross-entropy; half_squared_error ignores it
        scale = 1.0 / A.size if name in ("binary_cross_entropy", "mean_squared_error") else 1.0 / len(A)
        if name == "binary_cross_entropy" or name == "cross_entropy":
            return value, delta, RA * scale
        factor = 2.0 * scale if name == "mean_squared_error" else 1.0
        r_delta = f.backward(factor * RA, Z, A) + curvature(last.activation, Z, A, factor * (A - Y), RZ)
        return value, delta, r_delta

    return seed


def output_seed(S: Array) -> Seed:
    """The start of backpropagation for Σ S * ŷ with fixed weights S (m × n_L), and its R-operator."""

    def seed(cache: Cache, tangent: Tangent, last: Layer) -> tuple[float, Array, Array]:
        Z, A = cache.Z[-1], cache.output
        delta = ACTIVATIONS[last.activation].backward(S, Z, A)
        return float((S * A).sum()), delta, curvature(last.activation, Z, A, S, tangent.Z[-1])

    return seed


def unchecked_hessian_vector(
    layers: Sequence[Layer], X: Array, seed: Seed, V: Direction | None = None, U: Array | None = None
) -> HessianVector:
    """∇²L · (V, U) and ∇L for the objective that ``seed`` starts, without shape checks (see :func:`hessian_vector`)."""
    cache = unchecked_forward(layers, X)
    tangent = tangents(layers, cache, V, U)
    L = len(layers)
    delta: list[Array] = [np.empty(0)] * L
    dW, RdW = list(delta), list(delta)
    db: list[Array | None] = [None] * L
    Rdb = list(db)
    with np.errstate(over="ignore", invalid="ignore"):
        value, delta_k, r_delta = seed(cache, tangent, layers[-1])
        for k in range(L - 1, -1, -1):
            layer = layers[k]
            A_prev = cache.A[k - 1] if k > 0 else X
            R_prev = tangent.A[k - 1] if k > 0 else U
            delta[k] = delta_k
            dW[k] = A_prev.T @ delta_k
            RdW[k] = A_prev.T @ r_delta if R_prev is None else A_prev.T @ r_delta + R_prev.T @ delta_k
            if layer.b is not None:
                db[k], Rdb[k] = delta_k.sum(axis=0), r_delta.sum(axis=0)
            D = delta_k @ layer.W.T
            RD = r_delta @ layer.W.T
            if V is not None:
                RD += delta_k @ V.W[k].T
            if k > 0:
                f, Z, A = layers[k - 1].activation, cache.Z[k - 1], cache.A[k - 1]
                delta_k = ACTIVATIONS[f].backward(D, Z, A)
                r_delta = ACTIVATIONS[f].backward(RD, Z, A) + curvature(f, Z, A, D, tangent.Z[k - 1])
        results = [*RdW, RD, *dW, D, *(b for b in (*db, *Rdb) if b is not None)]
        finite = all_finite(results) and bool(np.isfinite(value))
    if not finite:
        raise_if_non_finite(value, ("loss",), "the loss L")
        for k in range(L):
            raise_if_non_finite(dW[k], ("layers", k, "weights_gradient"), f"∂L/∂W_{k + 1}")
            raise_if_non_finite(RdW[k], ("layers", k, "hessian_vector", "weights"), f"(∇²L·v) for W_{k + 1}")
            for name, b in (("∂L/∂b", db[k]), ("(∇²L·v) for b", Rdb[k])):
                if b is not None:
                    raise_if_non_finite(b, ("layers", k, "bias"), f"{name}_{k + 1}")
        raise_if_non_finite(D, ("input_gradient",), "∂L/∂X")
        raise_if_non_finite(RD, ("input_hessian_vector",), "(∇²L·u) for X")
    gradients = Gradients(loss=value, delta=tuple(delta), dW=tuple(dW), db=tuple(db))
    return HessianVector(
        output=cache.output, gradients=gradients, input_gradient=D, dW=tuple(RdW), db=tuple(Rdb), dX=RD
    )


def hessian_vector(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    V: Direction | None = None,
    U: Array | None = None,
    loss: str = "half_squared_error",
) -> HessianVector:
    """The exact product of the Hessian of the loss with a direction, ∇²L · (V, U), and the gradient ∇L.

    The Hessian is taken in all of (θ, X): with U absent it is ∇²_θ L · V (the weights' Hessian-vector
    product), with V absent ∇²_X L · U (the inputs'); with both, each block holds the mixed terms too.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs, one example per row.
    Y : ndarray, shape (m, n_L)
        The targets.
    V : Direction, optional
        The direction in parameter space, V_k shaped like W_k (n_{k−1} × n_k), v_k like b_k; 0 when absent.
    U : ndarray, shape (m, n_0), optional
        The direction in input space; 0 when absent.
    loss : str
        A key of :data:`gradcore.LOSSES` that fits the last activation.

    Returns
    -------
    HessianVector
        ``dW[k]`` (n_{k−1} × n_k) and ``db[k]`` (n_k) hold the parameter block of ∇²L · (V, U), ``dX`` (m × n_0)
        its input block; ``gradients`` and ``input_gradient`` the gradient, as :func:`gradcore.backward` would.

    Raises
    ------
    ShapeError
        If the network, X, Y and the loss do not fit, or V or U do not have the shapes of θ and X.
    NonFiniteError
        If a result overflows float64.
    """
    raise_if_problems(shape_problems(layers, X, Y, loss))
    raise_if_problems(_direction_problems(layers, X, V, U))
    return unchecked_hessian_vector(layers, X, loss_seed(Y, loss), V, U)


def output_hessian_vector(
    layers: Sequence[Layer], X: Array, S: Array, V: Direction | None = None, U: Array | None = None
) -> HessianVector:
    """∇²(Σ S * ŷ) · (V, U): the Hessian–vector product of the outputs weighted by fixed sensitivities S.

    What UM-Bridge's ``ApplyHessian`` asks of a model whose output is ŷ: the second derivative of sensᵀ ŷ.
    Parameters and results as :func:`hessian_vector`, with S (m × n_L) in place of Y and the loss;
    ``gradients.loss`` is Σ S * ŷ.

    Raises
    ------
    ShapeError
        If the network and X do not fit, S is not m × n_L, or V or U do not have the shapes of θ and X.
    NonFiniteError
        If a result overflows float64.
    """
    raise_if_problems(shape_problems(layers, X))
    m, n_L = X.shape[0], layers[-1].W.shape[1]
    if S.shape != (m, n_L):
        raise ShapeError([Problem(("sens",), f"S is {describe(S.shape)} but ŷ is {m} × {n_L} (m × n_L)")])
    raise_if_problems(_direction_problems(layers, X, V, U))
    return unchecked_hessian_vector(layers, X, output_seed(S), V, U)


def _direction_problems(layers: Sequence[Layer], X: Array, V: Direction | None, U: Array | None) -> list[Problem]:
    return ([] if V is None else direction_problems(layers, V)) + ([] if U is None else input_direction_problems(X, U))
