"""``/v1/gradients/check``: the request (a gradients request and the step ε) and the response."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, ValidationInfo, model_validator

from gradcore import parameter_count
from gradcore.numerical import ACCEPTABLE, FINE
from service import limits
from service.api.schemas.examples import SEED_CHECK
from service.api.schemas.options import INCLUDE, CheckField
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import Matrix, Selectable, Vector


class GradientsCheckRequest(GradientsRequest):
    """A gradients request and the step ε of the central differences."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_CHECK]})

    include: list[CheckField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]

    epsilon: float = Field(
        1e-6,
        ge=1e-10,
        le=1e-2,
        allow_inf_nan=False,
        strict=True,
        description="ε: every weight and bias θ is moved to θ ± ε, n = (L(θ + ε) − L(θ − ε)) / 2ε. "
        "Between 1e-10 and 1e-2; the default 1e-6 balances truncation (∝ ε²) and rounding (∝ 1/ε) errors.",
    )

    @model_validator(mode="after")
    def _within_the_budget(self, info: ValidationInfo) -> Self:
        """With ``context={"settings": Settings}``: parameters ≤ max_check_parameters, work ≤ max_check_work."""
        settings = (info.context or {}).get("settings")
        if settings is not None:
            count = parameter_count(self.layers)
            if count > settings.max_check_parameters:
                raise limits.limit_exceeded(
                    "max_check_parameters",
                    settings.max_check_parameters,
                    f"the network has {count} weights and biases, each moved twice by the check: at most "
                    f"{settings.max_check_parameters}",
                    pointer="/network",
                )
            work = limits.check_work(self.layers, self.inputs.shape[0])
            limits.check_budget(settings, "max_check_work", work, "2 × parameters × m × Σ n_{k−1}·n_k")
        return self


class CheckLayer(Selectable):
    """Layer k: both gradients and how far apart they are."""

    numerical_gradient: Matrix = Field(description="∂L/∂W_k by central differences, n_{k−1} × n_k.")
    analytic_gradient: Matrix = Field(description="∂L/∂W_k = l_{k−1}ᵀ · Δ_k by backpropagation, n_{k−1} × n_k.")
    numerical_bias_gradient: Vector | None = Field(
        None, description="∂L/∂b_k by central differences; present only when the layer has a bias."
    )
    analytic_bias_gradient: Vector | None = Field(
        None, description="∂L/∂b_k by backpropagation; present only when the layer has a bias."
    )
    max_abs_error: float = Field(description="max |a − n| over W_k and b_k, entries at a relu kink left out.")
    max_relative_error: float = Field(description="max |a − n| / max(|a|, |n|, tiny) over the same entries.")
    rating: str = Field(description=f"fine (≤ {FINE:g}), acceptable (≤ {ACCEPTABLE:g}, passes) or problem (fails).")
    passed: bool = Field(description=f"max_relative_error ≤ {ACCEPTABLE:g}.")
    kinks: int = Field(
        description="Entries left out because their central difference straddles a relu kink (z = 0), "
        "where relu has no derivative."
    )


class CheckResponse(Selectable):
    """Backpropagation against central differences, layer by layer."""

    passed: bool = Field(description="Every layer passed.")
    loss: float = Field(description="L at the unperturbed weights.")
    epsilon: float = Field(description="The step ε.")
    tiny: float = Field(description="The floor 10⁸ · u · max(1, |L|) / ε of the relative error's denominator.")
    thresholds: dict[str, float] = Field(description="The largest relative errors rated fine and acceptable.")
    kinks: int = Field(description="Entries left out in all layers because of relu kinks.")
    note: str | None = Field(description="Why entries were left out, when some were.")
    layers: list[CheckLayer]
