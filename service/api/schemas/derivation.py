"""``POST /v1/derivation``: the request (a gradients request) and the step-by-step answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.api.schemas.options import INCLUDE, DerivationField
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import Matrix, Selectable, Vector


class DerivationRequest(GradientsRequest):
    """Everything the backward pass needs: network, inputs X, targets Y and the loss."""

    include: list[DerivationField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]


class Operand(BaseModel):
    """A quantity an equation combines."""

    name: str = Field(description="Its symbol, e.g. `l_1ᵀ` or `W_2`.")
    shape: list[int] = Field(description="[rows, columns] for a matrix, [n] for a vector, [] for a scalar.")


class StepShapes(BaseModel):
    """The dimension check of one equation."""

    operands: list[Operand]
    result: list[int] = Field(description="The shape of the result: `[]` for the loss, `[n_k]` for a bias gradient.")
    check: str = Field(description="The check written out, e.g. `(3 × 1) · (1 × 2) = 3 × 2`.")


class DerivationStep(Selectable):
    """One equation of the derivation with its value."""

    kind: Literal["pre_activation", "activation", "loss", "delta", "weights_gradient", "bias_gradient"]
    layer: int | None = Field(description="k, counted from 1; null for the loss.")
    symbol: str = Field(description="What the step computes, e.g. `z_1`, `l_1`, `ŷ`, `L`, `Δ_1` or `∂L/∂W_1`.")
    description: str
    equation: str = Field(description="Plain text: · the matrix product, * the element-wise product, ᵀ transpose.")
    latex: str
    shapes: StepShapes
    value: float | Vector | Matrix = Field(description="The result, of shape shapes.result.")


class DerivationResponse(Selectable):
    """Every equation of the forward pass, the loss and backpropagation, in order."""

    steps: list[DerivationStep] = Field(
        description="z₁, l₁, …, `z_L`, ŷ = `l_L`; L; then for k = L … 1: Δₖ, ∂L/∂Wₖ and ∂L/∂bₖ (with a bias)."
    )
