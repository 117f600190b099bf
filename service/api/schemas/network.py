"""The network specification: a list of fully connected layers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from gradcore import Layer
from service.api.schemas.tensor import Array, Tensor

ActivationName = Literal["sigmoid", "tanh", "relu", "linear", "softmax"]
"""The activations of :data:`gradcore.ACTIVATIONS`."""


class LayerSpec(BaseModel):
    """Layer k: weights Wₖ (nₖ₋₁ × nₖ), an activation fₖ and an optional bias bₖ (nₖ)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    weights: Tensor = Field(
        description="Wₖ, nₖ₋₁ × nₖ: one row per input of the layer, one column per output. A number is a 1 × 1 matrix."
    )
    activation: ActivationName = Field(
        "sigmoid", description="fₖ, applied element-wise to zₖ; softmax (row-wise) only in the last layer."
    )
    bias: Tensor | None = Field(None, description="bₖ, nₖ numbers added to every row of zₖ; no bias when absent.")

    @field_validator("weights")
    @classmethod
    def _weights_are_a_matrix(cls, W: Array) -> Array:
        if W.ndim == 1:
            raise PydanticCustomError(
                "matrix_expected",
                "must be a matrix n_{k−1} × n_k (a list of rows) but is a flat list of {n} numbers: "
                "write [[w_1], …, [w_{n}]] for {n} × 1 or [[w_1, …, w_{n}]] for 1 × {n}",
                {"n": W.size},
            )
        return W.reshape(1, 1) if W.ndim == 0 else W

    @field_validator("bias")
    @classmethod
    def _bias_is_a_vector(cls, b: Array | None) -> Array | None:
        if b is None or b.ndim == 1:
            return b
        if b.ndim == 2 and b.shape[0] != 1:
            raise PydanticCustomError(
                "vector_expected",
                "must be a list of n_k numbers but is a {rows} × {cols} matrix",
                {"rows": b.shape[0], "cols": b.shape[1]},
            )
        vector: Array = b.reshape(-1)
        return vector

    def to_layer(self) -> Layer:
        """The gradcore layer this spec describes."""
        return Layer(W=self.weights, activation=self.activation, b=self.bias)


class NetworkSpec(BaseModel):
    """A fully connected network: layer 1 (W₁) first, the output layer (`W_L`) last."""

    model_config = ConfigDict(extra="forbid")

    layers: list[LayerSpec] = Field(min_length=1, description="Layers 1 … L, in order.")

    def to_layers(self) -> list[Layer]:
        """The gradcore layers this spec describes."""
        return [layer.to_layer() for layer in self.layers]
