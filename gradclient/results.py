"""Typed results: the service's JSON answers with every matrix as a float64 numpy array.

Notation of the seed notes: one example per row, z_k = l_{k−1} · W_k (+ b_k),
l_k = f_k(z_k), ŷ = l_L, Δ_k = ∂L/∂z_k. Every matrix is 2-D (m × n_k, or
n_{k−1} × n_k for a weights gradient); a bias gradient is a vector of n_k numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def array(value: Any) -> Array:
    """A JSON number, list or list of rows as a float64 array."""
    return np.asarray(value, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class ForwardLayer:
    """What layer k computed going forward: ``pre_activation`` z_k and ``activation`` l_k, both m × n_k."""

    pre_activation: Array
    activation: Array


@dataclass(frozen=True, eq=False)
class ForwardResult:
    """``POST /v1/forward``: the prediction ŷ = l_L (m × n_L) and every layer's z_k and l_k."""

    output: Array
    layers: tuple[ForwardLayer, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ForwardResult:
        layers = tuple(
            ForwardLayer(array(layer["pre_activation"]), array(layer["activation"])) for layer in data["layers"]
        )
        return cls(array(data["output"]), layers)


@dataclass(frozen=True, eq=False)
class LossResult:
    """``POST /v1/loss``: the loss L and the prediction ŷ (m × n_L)."""

    loss: float
    output: Array

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LossResult:
        return cls(float(data["loss"]), array(data["output"]))


@dataclass(frozen=True, eq=False)
class GradientsLayer(ForwardLayer):
    """Layer k forward and backward: z_k, l_k, Δ_k (m × n_k), ∂L/∂W_k (n_{k−1} × n_k) and ∂L/∂b_k (n_k) if biased."""

    delta: Array
    weights_gradient: Array
    bias_gradient: Array | None = None


@dataclass(frozen=True, eq=False)
class GradientsResult:
    """``POST /v1/gradients``: the loss L, the prediction ŷ and every layer's forward and backward arrays."""

    loss: float
    output: Array
    layers: tuple[GradientsLayer, ...]

    @property
    def weights_gradients(self) -> tuple[Array, ...]:
        """∂L/∂W_1 … ∂L/∂W_L, each the shape of its W_k."""
        return tuple(layer.weights_gradient for layer in self.layers)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradientsResult:
        layers = tuple(
            GradientsLayer(
                pre_activation=array(layer["pre_activation"]),
                activation=array(layer["activation"]),
                delta=array(layer["delta"]),
                weights_gradient=array(layer["weights_gradient"]),
                bias_gradient=array(layer["bias_gradient"]) if layer.get("bias_gradient") is not None else None,
            )
            for layer in data["layers"]
        )
        return cls(float(data["loss"]), array(data["output"]), layers)


@dataclass(frozen=True, eq=False)
class CheckLayer:
    """Layer k of a gradient check: ∂L/∂W_k by central differences and by backpropagation, and how far apart."""

    numerical_gradient: Array
    analytic_gradient: Array
    max_abs_error: float
    max_relative_error: float
    passed: bool


@dataclass(frozen=True, eq=False)
class CheckResult:
    """``POST /v1/gradients/check``: per layer results, whether all passed, and the whole answer in ``raw``."""

    passed: bool
    layers: tuple[CheckLayer, ...]
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        layers = tuple(
            CheckLayer(
                numerical_gradient=array(layer["numerical_gradient"]),
                analytic_gradient=array(layer["analytic_gradient"]),
                max_abs_error=float(layer["max_abs_error"]),
                max_relative_error=float(layer["max_relative_error"]),
                passed=bool(layer["passed"]),
            )
            for layer in data["layers"]
        )
        return cls(bool(data["passed"]), layers, data)


@dataclass(frozen=True, eq=False)
class VerifyLayer:
    """Layer k of a verification: the verdict on the claimed ∂L/∂W_k, a scale factor if any, and the true value."""

    verdict: str
    factor: float | None
    max_abs_error: float
    expected: Array


@dataclass(frozen=True, eq=False)
class VerifyResult:
    """``POST /v1/gradients/verify``: a verdict per layer, whether all are correct, and the whole answer in ``raw``."""

    all_correct: bool
    layers: tuple[VerifyLayer, ...]
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerifyResult:
        layers = tuple(
            VerifyLayer(
                verdict=str(layer["verdict"]),
                factor=float(layer["factor"]) if layer.get("factor") is not None else None,
                max_abs_error=float(layer["max_abs_error"]),
                expected=array(layer["expected"]),
            )
            for layer in data["layers"]
        )
        return cls(bool(data["all_correct"]), layers, data)


@dataclass(frozen=True, eq=False)
class TrainResult:
    """``POST /v1/train``: the loss history, the trained network (request format, ready to post again) and ŷ."""

    loss_history: Array
    network: dict[str, Any]
    output: Array
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainResult:
        return cls(array(data["loss_history"]), data["network"], array(data["output"]), data)
