"""Directions in parameter space, forward-mode derivatives (JVPs) and output VJPs of a network.

A direction V in parameter space has one matrix V_k per layer, shaped like W_k (n_{k−1} × n_k), and
one vector v_k (n_k) per layer with a bias. A direction U in input space is shaped like X (m × n_0).

Forward mode (Pearlmutter's R-operator, R{·} = d/dt ·(θ + tV, X + tU) at t = 0) on the forward pass:

    R{A_0} = U,   R{Z_k} = R{A_{k−1}} · W_k + A_{k−1} · V_k (+ v_k),   R{A_k} = J_{f_k}(Z_k) R{Z_k},

so R{ŷ} = R{A_L} = J_θ ŷ · V + J_X ŷ · U. Every activation's Jacobian is symmetric (diagonal for the
element-wise ones, diag(a) − a aᵀ row by row for the softmax), so its JVP is its VJP
(:meth:`gradcore.Activation.backward`).

:func:`flatten` and :func:`unflatten` write θ (or a direction) as one vector, in the order
W_1 (row by row), b_1 (if any), W_2, b_2, …, W_L, b_L.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.errors import Location, Problem, ShapeError
from gradcore.core.network import parameter_count, unchecked_forward
from gradcore.core.shapes import all_finite, raise_if_non_finite, raise_if_problems, shape_problems
from gradcore.core.types import Array, Cache, Gradients, Layer, describe


@dataclass(frozen=True)
class Direction:
    """A vector in parameter space, shaped like the network's weights and biases.

    Attributes
    ----------
    W : tuple of ndarray, shapes (n_{k−1}, n_k)
        V_k, one per layer, the shape of W_k.
    b : tuple of (ndarray, shape (n_k,)) or None
        v_k for the layers with a bias (``None`` there means 0); ``None`` for the layers without.
    """

    W: tuple[Array, ...]
    b: tuple[Array | None, ...]


@dataclass(frozen=True)
class Tangent:
    """The forward pass and its forward-mode derivative along a direction.

    Attributes
    ----------
    cache : Cache
        Z_k and A_k of the forward pass.
    Z : tuple of ndarray, shapes (m, n_k)
        R{Z_k}, the derivative of Z_k along the direction.
    A : tuple of ndarray, shapes (m, n_k)
        R{A_k}; R{A_L} = R{ŷ} is the Jacobian–vector product of the output.
    """

    cache: Cache
    Z: tuple[Array, ...]
    A: tuple[Array, ...]

    @property
    def output(self) -> Array:
        """R{ŷ} = J_θ ŷ · V + J_X ŷ · U, shape (m, n_L)."""
        return self.A[-1]


def direction_problems(layers: Sequence[Layer], V: Direction, location: Location = ("vector",)) -> list[Problem]:
    """List what does not fit between a network and a direction V in its parameter space.

    Parameters
    ----------
    layers : sequence of Layer
        The network; its shapes must chain (check them with :func:`gradcore.shape_problems` first).
    V : Direction
        V_k must be n_{k−1} × n_k like W_k; v_k must have n_k entries, and only layers with a bias have one.
    location : tuple of str and int
        Where V sits in the caller's arguments; problems are located at ``(*location, k, "weights" | "bias")``.

    Returns
    -------
    list of Problem
        Empty when V fits.
    """
    if len(V.W) != len(layers) or len(V.b) != len(layers):
        return [
            Problem(
                location, f"the vector has {len(V.W)} entries, one per layer, but the network has {len(layers)} layers"
            )
        ]
    problems = []
    for k, (layer, V_k, v_k) in enumerate(zip(layers, V.W, V.b, strict=True), start=1):
        where = (*location, k - 1)
        if V_k.shape != layer.W.shape:
            problems.append(
                Problem(
                    (*where, "weights"),
                    f"layer {k} of the vector is {describe(V_k.shape)} but W_{k} is {describe(layer.W.shape)}: "
                    f"V_{k} must have the shape of W_{k}",
                )
            )
        elif not np.isfinite(V_k).all():
            problems.append(Problem((*where, "weights"), f"V_{k} contains a number that is not finite"))
        if v_k is None:
            continue
        if layer.b is None:
            problems.append(Problem((*where, "bias"), f"layer {k} has no bias b_{k}, so the vector has no v_{k}"))
        elif v_k.shape != layer.b.shape:
            problems.append(
                Problem(
                    (*where, "bias"),
                    f"the bias part v_{k} has shape {describe(v_k.shape)} but b_{k} has {describe(layer.b.shape)}",
                )
            )
        elif not np.isfinite(v_k).all():
            problems.append(Problem((*where, "bias"), f"v_{k} contains a number that is not finite"))
    return problems


def input_direction_problems(X: Array, U: Array, location: Location = ("vector",)) -> list[Problem]:
    """The problem of a direction U in input space that is not m × n_0 like X, or not finite; else none."""
    if U.shape != X.shape:
        return [Problem(location, f"the direction U is {describe(U.shape)} but X is {describe(X.shape)}")]
    if not np.isfinite(U).all():
        return [Problem(location, "the direction U contains a number that is not finite")]
    return []


def tangents(layers: Sequence[Layer], cache: Cache, V: Direction | None, U: Array | None) -> Tangent:
    """R{Z_k} and R{A_k} for every layer, given the forward pass: no checks, call :func:`jvp` for them.

    ``V`` ``None`` is the zero direction in parameter space, ``U`` ``None`` the zero direction in input space.
    """
    RZ: list[Array] = []
    RA: list[Array] = []
    R_prev = U
    with np.errstate(over="ignore", invalid="ignore"):
        for k, layer in enumerate(layers):
            A_prev = cache.A[k - 1] if k > 0 else cache.X
            R_k = np.zeros_like(cache.Z[k]) if R_prev is None else R_prev @ layer.W
            if V is not None:
                R_k += A_prev @ V.W[k]
                v_k = V.b[k]
                if v_k is not None:
                    R_k += v_k
            RZ.append(R_k)
            R_prev = ACTIVATIONS[layer.activation].backward(R_k, cache.Z[k], cache.A[k])
            RA.append(R_prev)
    return Tangent(cache=cache, Z=tuple(RZ), A=tuple(RA))


def jvp(layers: Sequence[Layer], X: Array, V: Direction | None = None, U: Array | None = None) -> Tangent:
    """The exact Jacobian–vector product of the output, by forward mode: R{ŷ} = J_θ ŷ · V + J_X ŷ · U.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs, one example per row.
    V : Direction, optional
        The direction in parameter space (V_k shaped like W_k); 0 when absent.
    U : ndarray, shape (m, n_0), optional
        The direction in input space; 0 when absent.

    Returns
    -------
    Tangent
        The forward pass and R{Z_k}, R{A_k} for every layer; ``.output`` is R{ŷ}, m × n_L.

    Raises
    ------
    ShapeError
        If the network and X do not fit, or V or U do not have the shapes of θ and X.
    NonFiniteError
        If a result overflows float64.
    """
    raise_if_problems(shape_problems(layers, X))
    problems = ([] if V is None else direction_problems(layers, V)) + (
        [] if U is None else input_direction_problems(X, U)
    )
    raise_if_problems(problems)
    tangent = tangents(layers, unchecked_forward(layers, X), V, U)
    with np.errstate(over="ignore", invalid="ignore"):
        finite = all_finite(tangent.Z + tangent.A)
    if not finite:
        for k, (RZ_k, RA_k) in enumerate(zip(tangent.Z, tangent.A, strict=True)):
            raise_if_non_finite(RZ_k, ("layers", k, "pre_activation_tangent"), f"R{{z_{k + 1}}}")
            raise_if_non_finite(RA_k, ("layers", k, "activation_tangent"), f"R{{l_{k + 1}}}")
    return tangent


def output_vjp(layers: Sequence[Layer], cache: Cache, S: Array) -> tuple[Gradients, Array]:
    """The vector–Jacobian product of the output: the gradient of Σ S * ŷ with respect to θ and to X.

    Backpropagation started from Δ_L = J_{f_L}(Z_L)ᵀ S instead of a loss's Δ_L.

    Parameters
    ----------
    layers : sequence of Layer
        The network that produced ``cache``.
    cache : Cache
        The forward pass (:func:`gradcore.forward`).
    S : ndarray, shape (m, n_L)
        The sensitivities, the weights of the outputs (UM-Bridge's ``sens``).

    Returns
    -------
    (Gradients, ndarray of shape (m, n_0))
        ``loss`` = Σ S * ŷ, Δ_k, Sᵀ J_{W_k} as ``dW`` and Sᵀ J_{b_k} as ``db``; and Sᵀ J_X.

    Raises
    ------
    ShapeError
        If S is not m × n_L.
    NonFiniteError
        If a result overflows float64.
    """
    if S.shape != cache.output.shape:
        raise ShapeError(
            [Problem(("sens",), f"the sensitivities are {describe(S.shape)} but ŷ is {describe(cache.output.shape)}")]
        )
    delta: list[Array] = [np.empty(0)] * len(layers)
    dW: list[Array] = [np.empty(0)] * len(layers)
    db: list[Array | None] = [None] * len(layers)
    with np.errstate(over="ignore", invalid="ignore"):
        delta_k = ACTIVATIONS[layers[-1].activation].backward(S, cache.Z[-1], cache.output)
        for k in range(len(layers) - 1, -1, -1):
            delta[k] = delta_k
            dW[k] = (cache.A[k - 1] if k > 0 else cache.X).T @ delta_k
            if layers[k].b is not None:
                db[k] = delta_k.sum(axis=0)
            D = delta_k @ layers[k].W.T
            if k > 0:
                delta_k = ACTIVATIONS[layers[k - 1].activation].backward_in_place(D, cache.Z[k - 1], cache.A[k - 1])
        value = float((S * cache.output).sum())
    results = [*dW, D, *(b for b in db if b is not None)]
    if not all_finite(results) or not np.isfinite(value):
        raise_if_non_finite(D, ("input_gradient",), "Sᵀ J_X")
        for k in range(len(layers)):
            raise_if_non_finite(dW[k], ("layers", k, "weights_gradient"), f"Sᵀ J_W_{k + 1}")
        raise_if_non_finite(value, ("output",), "Σ S * ŷ")
    return Gradients(loss=value, delta=tuple(delta), dW=tuple(dW), db=tuple(db)), D


def flatten(W: Sequence[Array], b: Sequence[Array | None]) -> Array:
    """θ as one vector: W_1 row by row, then b_1 if any, then W_2, b_2, …; ``parameter_count`` numbers.

    Parameters
    ----------
    W : sequence of ndarray, shapes (n_{k−1}, n_k)
    b : sequence of (ndarray, shape (n_k,)) or None

    Returns
    -------
    ndarray, shape (P,)
    """
    parts = [part for W_k, b_k in zip(W, b, strict=True) for part in (W_k.ravel(), b_k) if part is not None]
    flat: Array = np.concatenate(parts).astype(np.float64, copy=False)
    return flat


def unflatten(layers: Sequence[Layer], theta: Array) -> Direction:
    """Cut a vector of :func:`parameter_count` numbers into matrices shaped like W_k and vectors like b_k.

    The inverse of :func:`flatten` for the shapes of ``layers``: W_1 row by row, b_1 (if the layer has a bias),
    W_2, …

    Raises
    ------
    ShapeError
        If ``theta`` is not a vector of ``parameter_count(layers)`` numbers.
    """
    P = parameter_count(layers)
    if theta.shape != (P,):
        raise ShapeError([Problem(("theta",), f"θ has {describe(theta.shape)} numbers but the network has {P}")])
    W: list[Array] = []
    b: list[Array | None] = []
    start = 0
    for layer in layers:
        W.append(theta[start : start + layer.W.size].reshape(layer.W.shape))
        start += layer.W.size
        if layer.b is None:
            b.append(None)
        else:
            b.append(theta[start : start + layer.b.size])
            start += layer.b.size
    return Direction(W=tuple(W), b=tuple(b))
