"""Response bodies. Every matrix is 2-D (a scalar comes back as [[v]]); a bias gradient is a list, like a bias.

With ``"encoding": "base64"`` in the request every array is a compact tensor
instead, and with ``"include"`` only the selected fields are present: so no
field is required in the documented schemas.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.compact import CompactTensor

Matrix = list[list[float]] | CompactTensor
Vector = list[float] | CompactTensor


def _nothing_required(schema: dict[str, Any]) -> None:
    schema.pop("required", None)


class Selectable(BaseModel):
    """A response whose fields the request's ``include`` may leave out."""

    model_config = ConfigDict(json_schema_extra=_nothing_required)


class ForwardLayer(Selectable):
    """What layer k computed going forward."""

    pre_activation: Matrix = Field(description="zₖ = lₖ₋₁ · Wₖ (+ bₖ), m × nₖ.")
    activation: Matrix = Field(description="lₖ = fₖ(zₖ), m × nₖ.")


class ForwardResponse(Selectable):
    """The forward pass: the prediction ŷ and every layer's zₖ and lₖ."""

    output: Matrix = Field(description="ŷ = `l_L`, m × `n_L`.")
    layers: list[ForwardLayer]


class LossResponse(Selectable):
    """The loss of the prediction."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = `l_L`, m × `n_L`.")


class GradientsLayer(ForwardLayer):
    """What layer k computed going forward and backward."""

    delta: Matrix = Field(description="Δₖ = ∂L/∂zₖ, m × nₖ.")
    weights_gradient: Matrix = Field(description="∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ, nₖ₋₁ × nₖ (the shape of Wₖ).")
    bias_gradient: list[float] | CompactTensor | None = Field(
        None, description="∂L/∂bₖ = Σ over examples of Δₖ, nₖ numbers; present only when the layer has a bias."
    )


class GradientsResponse(Selectable):
    """The loss, the prediction and every layer's forward and backward quantities."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = `l_L`, m × `n_L`.")
    layers: list[GradientsLayer]
    input_gradient: Matrix | None = Field(
        None,
        description="∂L/∂X = Δ₁ · W₁ᵀ, m × n₀ (the shape of X): sent only when `include` names it, "
        'e.g. `"include": ["loss", "layers", "input_gradient"]`.',
    )
