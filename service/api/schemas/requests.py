"""Request bodies. One shape serves every endpoint: network, inputs, targets, loss."""

from __future__ import annotations

from functools import cached_property
from typing import Literal, Self

from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from gradcore import Layer, Problem, shape_problems
from service.api.schemas.examples import SEED_TWO_LAYER
from service.api.schemas.network import NetworkSpec
from service.api.schemas.options import INCLUDE, GradientsField, LossField, ResponseOptions
from service.api.schemas.tensor import Tensor, as_matrix
from service.domain import limits
from service.domain.fastpath.context import read_context

LossName = Literal["half_squared_error", "mean_squared_error", "binary_cross_entropy", "cross_entropy"]
"""The losses of :data:`gradcore.LOSSES`."""


def _location(problem: Problem) -> tuple[str | int, ...]:
    """Where a gradcore problem sits in the request body."""
    head = problem.location[0]
    return ("network", *problem.location) if head == "layers" else problem.location


def raise_problems(title: str, problems: list[Problem]) -> None:
    """Report gradcore's problems as pydantic errors located in the request body."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("shape_mismatch", problem.message),
                    loc=_location(problem),
                    input=None,
                )
                for problem in problems
            ],
        )


class ForwardRequest(ResponseOptions):
    """A network and its inputs X (m × n₀)."""

    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
        json_schema_extra={"examples": [SEED_TWO_LAYER]},
    )

    network: NetworkSpec
    inputs: Tensor = Field(
        description="X, m × n₀, one example per row. A number is 1 × 1; a flat list is one example (1 × n₀)."
    )
    targets: Tensor | None = Field(None, description="Y; accepted so that one body fits every endpoint, not used here.")
    loss: LossName = Field("half_squared_error", description="The loss; accepted here, not used.")

    @model_validator(mode="after")
    def _check_shapes(self, info: ValidationInfo) -> Self:
        """Check the shapes and, given settings (the context's), the limits of
        :mod:`service.domain.limits`."""
        layers = self.layers
        self._normalize()
        settings = read_context(info.context).settings
        if settings is not None:
            limits.check_sizes(settings, layers, self.inputs, self.targets)
        raise_problems(type(self).__name__, self._problems())
        if settings is not None:
            limits.check_compute(settings, layers, self.inputs)
        return self

    def _normalize(self) -> None:
        """Read the scalar and flat-list forms as matrices."""
        self.inputs = as_matrix(self.inputs)

    def _problems(self) -> list[Problem]:
        return shape_problems(self.layers, self.inputs, check_finite=False)  # the Tensor validator checked each number

    @cached_property
    def layers(self) -> list[Layer]:
        """The network as gradcore layers, made once (a private attribute would cost a look-up through
        pydantic's ``__getattr__`` at every use)."""
        return self.network.to_layers()


class LossRequest(ForwardRequest):
    """A network, inputs X (m × n₀), targets Y (m × `n_L`) and a loss."""

    targets: Tensor = Field(
        description="Y, m × `n_L`, one example per row. A number is 1 × 1; a flat list is one example (1 × `n_L`), "
        "or, when `n_L` = 1, one target per example (m × 1)."
    )
    loss: LossName = Field(
        "half_squared_error",
        description="`half_squared_error`: L = Σ ½ (y − ŷ)² (the default); `mean_squared_error`: mean of (y − ŷ)² "
        "over all m·`n_L` elements; `binary_cross_entropy`: −mean[y log ŷ + (1 − y) log(1 − ŷ)], sigmoid last "
        "layer only; `cross_entropy`: −(1/m) Σ y log ŷ, softmax last layer only, each row of Y a probability "
        "distribution.",
    )
    include: list[LossField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]

    def _normalize(self) -> None:
        """Also read a flat list of targets as one row, or as one target per example when n_L = 1."""
        super()._normalize()
        Y, W_L = self.targets, self.layers[-1].W
        if Y.ndim == 1 and Y.size > 1 and W_L.ndim == 2 and W_L.shape[1] == 1:
            self.targets = Y.reshape(-1, 1)
        else:
            self.targets = as_matrix(Y)

    def _problems(self) -> list[Problem]:
        return shape_problems(self.layers, self.inputs, self.targets, self.loss, check_finite=False)


class GradientsRequest(LossRequest):
    """Everything the backward pass needs: network, inputs X, targets Y and the loss."""

    include: list[GradientsField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]
