"""``/v1/gradients/check``: the request (a gradients request and the step ε) and the response."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from gradcore import ACCEPTABLE, FINE, MAX_FAILING, parameter_count
from service.api.schemas.examples import SEED_CHECK
from service.api.schemas.options import INCLUDE, CheckField
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import Matrix, Selectable, Vector
from service.domain import limits
from service.domain.fastpath.context import read_context


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
        description="ε: every weight and bias θ is moved to θ ± ε (and θ ± 2ε, for the error model), "
        "n = (L(θ + ε) − L(θ − ε)) / 2ε. Between 1e-10 and 1e-2; the ratings mean the same over the whole range, "
        "as each entry's expected truncation (∝ ε²) and rounding (∝ 1/ε) errors are part of its rating.",
    )

    @model_validator(mode="after")
    def _within_the_budget(self, info: ValidationInfo) -> Self:
        """Given settings (the context's): parameters ≤ max_check_parameters, work ≤ max_check_work."""
        settings = read_context(info.context).settings
        if settings is not None:
            count = parameter_count(self.layers)
            if count > settings.max_check_parameters:
                raise limits.limit_exceeded(
                    "max_check_parameters",
                    settings.max_check_parameters,
                    f"the network has {count} weights and biases, each moved four times by the check "
                    f"(θ ± ε and θ ± 2ε: four forward passes): at most {settings.max_check_parameters}",
                    pointer="/network",
                )
            work = limits.check_work(self.layers, self.inputs.shape[0])
            what = "4 × Σ_k P_k × m × (1 + n_L + Σ_{i>k} n_i + Σ_{i>k+1} n_{i−1}·n_i)"
            limits.check_budget(settings, "max_check_work", work, what)
        return self


class CheckEntry(BaseModel):
    """One entry of Wₖ (row, column) or of bₖ (column), with its errors."""

    parameter: Literal["W", "b"] = Field(description="`W` for an entry of Wₖ, `b` for one of bₖ.")
    row: int | None = Field(description="Its row in Wₖ (from 0); null for bₖ.")
    column: int = Field(description="Its column in Wₖ, or its index in bₖ (from 0).")
    analytic: float = Field(description="a = ∂L/∂θ by backpropagation.")
    numerical: float = Field(description="n, the central difference.")
    relative_error: float = Field(description="e = |a − n| / max(|a|, |n|, E).")
    expected_error: float = Field(description="E, the |a − n| the error model expects of a correct a.")
    unexplained_error: float = Field(description="max(0, |a − n| − E) / max(|a|, |n|, E): what the rating reads.")


class CheckLayer(Selectable):
    """Layer k: both gradients, how far apart they are, the worst entry and the failing ones."""

    numerical_gradient: Matrix = Field(description="∂L/∂Wₖ by central differences, nₖ₋₁ × nₖ.")
    analytic_gradient: Matrix = Field(description="∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ by backpropagation, nₖ₋₁ × nₖ.")
    numerical_bias_gradient: Vector | None = Field(
        None, description="∂L/∂bₖ by central differences; present only when the layer has a bias."
    )
    analytic_bias_gradient: Vector | None = Field(
        None, description="∂L/∂bₖ by backpropagation; present only when the layer has a bias."
    )
    max_abs_error: float = Field(description="max |a − n| over Wₖ and bₖ, entries at a relu kink left out.")
    max_relative_error: float = Field(description="max |a − n| / max(|a|, |n|, E) over the same entries.")
    max_unexplained_error: float = Field(
        description="max of max(0, |a − n| − E) / max(|a|, |n|, E) over the same entries: the rating's number."
    )
    max_expected_error: float = Field(description="The largest expected error E of the layer's entries.")
    rating: str = Field(
        description=f"fine (unexplained ≤ {FINE:g} and relative ≤ {ACCEPTABLE:g}), acceptable (unexplained ≤ "
        f"{ACCEPTABLE:g}: passes, but at this ε the difference only confirms the gradient to the relative error) "
        "or problem (fails)."
    )
    passed: bool = Field(description=f"`max_unexplained_error` ≤ {ACCEPTABLE:g}.")
    kinks: int = Field(
        description="Entries left out because their central difference straddles a relu kink (z = 0), "
        "where relu has no derivative."
    )
    worst: CheckEntry | None = Field(
        description="The entry with the largest unexplained error (then relative error); null if all are at kinks."
    )
    failing: list[CheckEntry] = Field(
        description=f"The entries with unexplained error > {ACCEPTABLE:g}, Wₖ row by row then bₖ, "
        f"the first {MAX_FAILING}; empty when the layer passes."
    )
    failing_count: int = Field(description="How many entries fail in all.")


class CheckResponse(Selectable):
    """Backpropagation against central differences, layer by layer."""

    passed: bool = Field(description="Every layer passed.")
    loss: float = Field(description="L at the unperturbed weights.")
    epsilon: float = Field(description="The step ε.")
    roundoff: float = Field(description="δL, the bound on the rounding error of one evaluation of L.")
    error_model: str = Field(description="How the expected error E of each entry is estimated and used.")
    thresholds: dict[str, float] = Field(description="The largest unexplained errors rated fine and acceptable.")
    kinks: int = Field(description="Entries left out in all layers because of relu kinks.")
    note: str | None = Field(description="Why entries were left out, when some were.")
    layers: list[CheckLayer]
