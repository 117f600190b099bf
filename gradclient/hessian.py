"""The result of ``POST /v1/gradients/hessian-vector``: the gradient and the exact Hessian–vector product ∇²L · v.

Read like every result of :mod:`gradclient.results`: matrices as float64 numpy arrays, a field left out by
``include`` is ``None``, the whole answer in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from numpy.typing import ArrayLike

from gradclient.results import Array, Result

Vector = Sequence[Mapping[str, Any] | ArrayLike]
"""A direction v: one entry per layer, V_k alone (n_{k−1} × n_k, the shape of W_k) or ``{"weights": V_k, "bias": v_k}``
(v_k, n_k numbers, for a layer with a bias)."""


def vector_json(vector: Vector) -> list[Any]:
    """The ``vector`` field of a request."""
    return [part if isinstance(part, Mapping) else {"weights": part} for part in vector]


@dataclass(frozen=True, eq=False, kw_only=True)
class HessianVectorPart(Result):
    """Layer k's block of ∇²L · v: ``weights`` shaped like W_k, ``bias`` like b_k (``None`` without a bias)."""

    weights: Array
    bias: Array | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class HessianVectorLayer(Result):
    """Layer k: ∂L/∂W_k, ∂L/∂b_k (if biased) and its block of ∇²L · v."""

    weights_gradient: Array
    bias_gradient: Array | None = None
    hessian_vector: HessianVectorPart


@dataclass(frozen=True, eq=False, kw_only=True)
class HessianVectorResult(Result):
    """``POST /v1/gradients/hessian-vector``: L, ŷ, ∇Lᵀv (``slope``), vᵀ∇²Lv (``curvature``) and each layer's blocks.

    The Newton step along v is t = −slope / curvature (:attr:`newton_step`).
    """

    loss: float
    output: Array
    slope: float
    curvature: float
    layers: tuple[HessianVectorLayer, ...]

    @property
    def newton_step(self) -> float:
        """t = −slope / curvature, the minimum along v of the quadratic model L + t·slope + ½t²·curvature."""
        return -self.slope / self.curvature

    @property
    def weights_products(self) -> tuple[Array, ...]:
        """The W_1 … W_L blocks of ∇²L · v, each the shape of its W_k."""
        return tuple(layer.hessian_vector.weights for layer in self.layers)
