"""``/v1/gradients/hessian-vector``: the request (a gradients request and a direction v) and the response."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gradcore import Direction, Problem, direction_problems, parameter_count
from service.api.schemas.examples import SEED_HESSIAN_VECTOR
from service.api.schemas.options import INCLUDE, HessianVectorField
from service.api.schemas.requests import GradientsRequest, raise_problems
from service.api.schemas.responses import Matrix, Selectable, Vector
from service.api.schemas.tensor import Array, Tensor
from service.domain import limits
from service.domain.fastpath.context import read_context


class VectorLayer(BaseModel):
    """Layer k of the direction v: Vₖ shaped like Wₖ and, if the layer has a bias, vₖ shaped like bₖ."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    weights: Tensor = Field(description="Vₖ, nₖ₋₁ × nₖ like Wₖ. A number is a 1 × 1 matrix.")
    bias: Tensor | None = Field(
        None, description="vₖ, nₖ numbers like bₖ: required when the layer has a bias, refused when it has none."
    )

    @field_validator("weights")
    @classmethod
    def _a_matrix(cls, V: Array) -> Array:
        if V.ndim == 1:
            raise PydanticCustomError(
                "matrix_expected",
                "must be a matrix shaped like W_k (a list of rows) but is a flat list of {n} numbers",
                {"n": V.size},
            )
        return V.reshape(1, 1) if V.ndim == 0 else V

    @field_validator("bias")
    @classmethod
    def _a_vector(cls, v: Array | None) -> Array | None:
        if v is None or v.ndim == 1:
            return v
        if v.ndim == 2 and v.shape[0] != 1:
            raise PydanticCustomError(
                "vector_expected",
                "must be a list of n_k numbers but is a {rows} × {cols} matrix",
                {"rows": v.shape[0], "cols": v.shape[1]},
            )
        vector: Array = v.reshape(-1)
        return vector


class HessianVectorRequest(GradientsRequest):
    """A gradients request and a direction v in weight space, one `Vₖ` per layer shaped like `Wₖ`."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_HESSIAN_VECTOR]})

    include: list[HessianVectorField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]
    vector: list[VectorLayer] = Field(
        min_length=1,
        description="v, layer 1 first: `weights` Vₖ shaped like Wₖ (nₖ₋₁ × nₖ) and, for a layer with a bias, "
        "`bias` vₖ (nₖ numbers). The answer is ∇²L · v, the product of the Hessian of L in all the weights "
        "and biases with v.",
    )

    @model_validator(mode="after")
    def _vector_fits(self, info: ValidationInfo) -> Self:
        """v has the network's shapes; with ``context={"settings": …}``, v's numbers count in ``max_numbers``."""
        settings = read_context(info.context).settings
        P = parameter_count(self.layers)
        if settings is not None:
            total = 2 * P + self.inputs.size + self.targets.size
            if total > settings.max_numbers:
                raise limits.limit_exceeded(
                    "max_numbers", settings.max_numbers, f"the request holds {total} numbers", status=413, pointer=""
                )
        problems = [
            Problem(
                ("vector", k, "bias"),
                f"layer {k + 1} has a bias b_{k + 1} of {layer.b.size} numbers, so the vector needs v_{k + 1}: "
                f"{layer.b.size} numbers",
            )
            for k, (layer, part) in enumerate(zip(self.layers, self.vector, strict=False))
            if layer.b is not None and part.bias is None
        ]
        raise_problems(type(self).__name__, problems + direction_problems(self.layers, self.direction))
        return self

    @property
    def direction(self) -> Direction:
        """v as gradcore's direction."""
        return Direction(W=tuple(part.weights for part in self.vector), b=tuple(part.bias for part in self.vector))


class HessianVectorPart(Selectable):
    """Layer k's block of ∇²L · v."""

    weights: Matrix = Field(description="The Wₖ block of ∇²L · v, nₖ₋₁ × nₖ (the shape of Wₖ).")
    bias: Vector | None = Field(None, description="The bₖ block, nₖ numbers; present only when the layer has a bias.")


class HessianVectorLayer(Selectable):
    """Layer k: the gradient and the Hessian–vector product."""

    weights_gradient: Matrix = Field(description="∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ, nₖ₋₁ × nₖ.")
    bias_gradient: Vector | None = Field(
        None, description="∂L/∂bₖ = Σ over examples of Δₖ; present only when the layer has a bias."
    )
    hessian_vector: HessianVectorPart = Field(description="Layer k's block of ∇²L · v, shaped like Wₖ and bₖ.")


class HessianVectorResponse(Selectable):
    """The loss, its gradient and the exact product of its Hessian with v (forward-over-reverse, not differences)."""

    loss: float = Field(description="L(ŷ, y) for the requested loss.")
    output: Matrix = Field(description="ŷ = `l_L`, m × `n_L`.")
    slope: float = Field(description="∇Lᵀ v, the derivative of L along v.")
    curvature: float = Field(
        description="vᵀ ∇²L v, the second derivative of L along v: the Newton step along v is −slope / curvature."
    )
    layers: list[HessianVectorLayer]
