"""The types every part of gradcore shares: arrays, layers, and what the passes compute.

Shapes in the notation of the seed notes: one example is a row, X is m × n_0,
W_k is n_{k−1} × n_k, Z_k and A_k are m × n_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
"""A float64 array: a matrix unless a docstring says otherwise."""


def describe(shape: tuple[int, ...]) -> str:
    """Write a shape as the seed notes do: ``3 × 2``, ``2`` for a vector, ``a scalar`` for ()."""
    return " × ".join(str(n) for n in shape) if shape else "a scalar"


@dataclass(frozen=True)
class Layer:
    """One fully connected layer.

    Attributes
    ----------
    W : ndarray, shape (n_{k−1}, n_k)
        The weights W_k.
    activation : str
        The name of f_k, a key of :data:`gradcore.ACTIVATIONS`.
    b : ndarray, shape (n_k,), optional
        The bias b_k; ``None`` for no bias (the seed's convention).
    """

    W: Array
    activation: str = "sigmoid"
    b: Array | None = None


@dataclass(frozen=True)
class Cache:
    """What the forward pass computed, consumed by :func:`backward`.

    Attributes
    ----------
    X : ndarray, shape (m, n_0)
        The inputs A_0.
    Z : tuple of ndarray, shapes (m, n_k)
        The pre-activations Z_1 … Z_L.
    A : tuple of ndarray, shapes (m, n_k)
        The activations A_1 … A_L; A_L is the prediction ŷ.
    """

    X: Array
    Z: tuple[Array, ...]
    A: tuple[Array, ...]

    @property
    def output(self) -> Array:
        """The prediction ŷ = A_L, shape (m, n_L)."""
        return self.A[-1]


@dataclass(frozen=True)
class Gradients:
    """What the backward pass computed.

    Attributes
    ----------
    loss : float
        The loss L.
    delta : tuple of ndarray, shapes (m, n_k)
        Δ_k = ∂L/∂Z_k for k = 1 … L.
    dW : tuple of ndarray, shapes (n_{k−1}, n_k)
        ∂L/∂W_k, the same shape as W_k.
    db : tuple of (ndarray, shape (n_k,)) or None
        ∂L/∂b_k for the layers that have a bias, ``None`` for the others.
    """

    loss: float
    delta: tuple[Array, ...]
    dW: tuple[Array, ...]
    db: tuple[Array | None, ...]
