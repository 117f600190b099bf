"""Response bodies. Every matrix is 2-D (a scalar comes back as [[v]]); a bias gradient is a list, like a bias."""

from __future__ import annotations

from pydantic import BaseModel, Field

Matrix = list[list[float]]


class ForwardLayer(BaseModel):
    """What layer k computed going forward."""

    pre_activation: Matrix = Field(description="z_k = l_{k−1} · W_k (+ b_k), m × n_k.")
    activation: Matrix = Field(description="l_k = f_k(z_k), m × n_k.")


class ForwardResponse(BaseModel):
    """The forward pass: the prediction ŷ and every layer's z_k and l_k."""

    output: Matrix = Field(description="ŷ = l_L, m × n_L.")
    layers: list[ForwardLayer]


class LossResponse(BaseModel):
    """The loss of the prediction."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = l_L, m × n_L.")


class GradientsLayer(ForwardLayer):
    """What layer k computed going forward and backward."""

    delta: Matrix = Field(description="Δ_k = ∂L/∂z_k, m × n_k.")
    weights_gradient: Matrix = Field(description="∂L/∂W_k = l_{k−1}ᵀ · Δ_k, n_{k−1} × n_k (the shape of W_k).")
    bias_gradient: list[float] | None = Field(
        None, description="∂L/∂b_k = Σ over examples of Δ_k, n_k numbers; present only when the layer has a bias."
    )


class GradientsResponse(BaseModel):
    """The loss, the prediction and every layer's forward and backward quantities."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = l_L, m × n_L.")
    layers: list[GradientsLayer]
