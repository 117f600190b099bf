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

    pre_activation: Matrix = Field(description="z_k = l_{k−1} · W_k (+ b_k), m × n_k.")
    activation: Matrix = Field(description="l_k = f_k(z_k), m × n_k.")


class ForwardResponse(Selectable):
    """The forward pass: the prediction ŷ and every layer's z_k and l_k."""

    output: Matrix = Field(description="ŷ = l_L, m × n_L.")
    layers: list[ForwardLayer]


class LossResponse(Selectable):
    """The loss of the prediction."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = l_L, m × n_L.")


class GradientsLayer(ForwardLayer):
    """What layer k computed going forward and backward."""

    delta: Matrix = Field(description="Δ_k = ∂L/∂z_k, m × n_k.")
    weights_gradient: Matrix = Field(description="∂L/∂W_k = l_{k−1}ᵀ · Δ_k, n_{k−1} × n_k (the shape of W_k).")
    bias_gradient: list[float] | CompactTensor | None = Field(
        None, description="∂L/∂b_k = Σ over examples of Δ_k, n_k numbers; present only when the layer has a bias."
    )


class GradientsResponse(Selectable):
    """The loss, the prediction and every layer's forward and backward quantities."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = l_L, m × n_L.")
    layers: list[GradientsLayer]
    input_gradient: Matrix | None = Field(
        None,
        description="∂L/∂X = Δ_1 · W_1ᵀ, m × n_0 (the shape of X): sent only when ``include`` names it, "
        'e.g. "include": ["loss", "layers", "input_gradient"].',
    )
