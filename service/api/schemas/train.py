"""``POST /v1/train``: the request (a gradients request, a learning rate and a number of steps) and the answer."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from service.api.schemas.examples import XOR_FIRST_STEPS
from service.api.schemas.network import ActivationName
from service.api.schemas.options import INCLUDE, TrainField
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import Matrix, Selectable, Vector
from service.domain import limits
from service.domain.fastpath.context import read_context


class TrainRequest(GradientsRequest):
    """A gradients request plus the learning rate η and the number of gradient-descent steps."""

    model_config = ConfigDict(json_schema_extra={"examples": [XOR_FIRST_STEPS]})

    include: list[TrainField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]

    learning_rate: float = Field(
        0.5,
        gt=0.0,
        strict=True,
        allow_inf_nan=False,
        description="η > 0: every step sets Wₖ ← Wₖ − η ∂L/∂Wₖ and bₖ ← bₖ − η ∂L/∂bₖ.",
    )
    steps: int = Field(
        100,
        ge=1,
        strict=True,
        description="How many full-batch gradient-descent steps to take; at most the server's "
        "`GRADSERVICE_MAX_TRAIN_STEPS` (10000 by default).",
    )

    @model_validator(mode="after")
    def _within_the_budget(self, info: ValidationInfo) -> Self:
        """Given settings (the context's): steps ≤ max_train_steps, steps × parameters × m ≤ max_train_work."""
        settings = read_context(info.context).settings
        if settings is not None:
            if self.steps > settings.max_train_steps:
                raise limits.limit_exceeded(
                    "max_train_steps",
                    settings.max_train_steps,
                    f"steps is {self.steps}, at most {settings.max_train_steps} gradient-descent steps per request",
                    pointer="/steps",
                )
            work = limits.train_work(self.layers, self.inputs.shape[0], self.steps)
            limits.check_budget(settings, "max_train_work", work, "steps × parameters × m")
        return self


class TrainedLayer(BaseModel):
    """Layer k after training, in the request's format."""

    weights: Matrix = Field(description="Wₖ, nₖ₋₁ × nₖ.")
    activation: ActivationName
    bias: Vector | None = Field(None, description="bₖ, nₖ numbers; present only when the layer has a bias.")


class TrainedNetwork(BaseModel):
    """The trained network, in the request's format: it can be posted back as ``network``."""

    layers: list[TrainedLayer]


class TrainResponse(Selectable):
    """The loss before and after every step, the trained network and its prediction."""

    loss_history: Vector = Field(
        description="`steps` + 1 losses: `loss_history[t]` is L after t steps, so `loss_history[0]` is the loss of "
        "the network sent and `loss_history[steps]` that of the network returned."
    )
    network: TrainedNetwork
    output: Matrix = Field(description="ŷ of the trained network, m × `n_L`.")
