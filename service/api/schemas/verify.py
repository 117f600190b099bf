"""``/v1/gradients/verify``: the request (a gradients request and the claimed gradients) and the response."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gradcore import MAX_WRONG, RTOL, Answer, Problem, answer_problems, claim_problems
from service.api.schemas.answers import AnswerSpec, GradedQuantity
from service.api.schemas.examples import SEED_WRONG_SIGN
from service.api.schemas.options import INCLUDE, VerifyField
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import Matrix, Selectable, Vector
from service.api.schemas.tensor import Array, Tensor

VERDICTS = "`correct`, `sign_flipped`, `transposed`, `missing_activation_derivative`, `scaled` or `incorrect`"


def _as_bias(c: Array | None) -> Array | None:
    """Read a number as 1 entry and a single row as a list, like a bias."""
    if c is None or c.ndim == 1:
        return c
    return c.reshape(-1) if c.ndim == 0 or c.shape[0] == 1 else c


class GradientsVerifyRequest(GradientsRequest):
    """A gradients request and the gradients someone derived for it."""

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_WRONG_SIGN]})

    include: list[VerifyField] | None = Field(None, min_length=1, description=INCLUDE)  # type: ignore[assignment]

    claimed_gradients: list[Tensor] | None = Field(
        None,
        description="The claimed ∂L/∂W₁ … ∂L/∂`W_L`, one matrix per layer, each nₖ₋₁ × nₖ like Wₖ "
        "(its transpose nₖ × nₖ₋₁ is accepted and diagnosed). A number is a 1 × 1 matrix. Required unless "
        "`claimed` is given.",
    )
    claimed: AnswerSpec | None = Field(
        None,
        description="A partial answer, any of the quantities of a `/v1/gradients` answer (`loss`, `output`, "
        "`layers[k]`: `pre_activation`, `activation`, `delta`, `weights_gradient`, `bias_gradient`); what is "
        "missing or null is not checked. Each quantity given gets an entry in `graded`, with error carried "
        "forward from the earlier quantities given.",
    )
    claimed_bias_gradients: list[Tensor | None] | None = Field(
        None,
        description="The claimed ∂L/∂bₖ, one entry per layer: nₖ numbers for a layer with a bias, null where "
        "no bias gradient is claimed.",
    )
    rtol: float = Field(
        RTOL,
        gt=0.0,
        lt=1.0,
        allow_inf_nan=False,
        strict=True,
        description="Relative tolerance: C ≈ R when max |C − R| ≤ rtol · max |R| + 1e-12. Independently of it, "
        "a claim written to d ≥ 2 significant digits matches R when every entry is within half a unit of R's "
        "d-th digit (the answer's `rounded_to` says d), so rounded claims need no rtol.",
    )

    def _normalize(self) -> None:
        """Also read a number as a 1 × 1 claim, and a bias claim like a bias."""
        super()._normalize()
        if self.claimed_gradients is not None:
            self.claimed_gradients = [C.reshape(1, 1) if C.ndim == 0 else C for C in self.claimed_gradients]
        if self.claimed_bias_gradients is not None:
            self.claimed_bias_gradients = [_as_bias(c) for c in self.claimed_bias_gradients]

    def _problems(self) -> list[Problem]:
        problems = super()._problems()
        if problems:
            return problems
        if self.claimed_gradients is None:
            if self.claimed is None:
                return [
                    Problem(
                        ("claimed_gradients",),
                        "nothing to check: give claimed_gradients (every ∂L/∂W_k) or claimed (any of z_k, l_k, ŷ, "
                        "L, Δ_k, ∂L/∂W_k, ∂L/∂b_k)",
                    )
                ]
            if self.claimed_bias_gradients is not None:
                return [
                    Problem(
                        ("claimed_bias_gradients",),
                        "comes with claimed_gradients only: give ∂L/∂b_k as claimed/layers/k/bias_gradient instead",
                    )
                ]
        else:
            problems = claim_problems(self.layers, self.claimed_gradients, self.claimed_bias_gradients)
        if self.claimed is not None:
            problems += answer_problems(self.layers, self.inputs, self.answer, root=("claimed",))
        return problems

    @property
    def answer(self) -> Answer:
        """The partial answer ``claimed`` as gradcore's :class:`~gradcore.Answer` (empty when not given)."""
        return Answer() if self.claimed is None else self.claimed.to_answer(self.inputs.shape[0])


class WrongEntry(BaseModel):
    """One wrong entry of an incorrect claim."""

    index: list[int] = Field(description="Its index in the claim: [row, column] (or [i] for a bias).")
    expected: float | None = Field(
        None, description="The true value; left out in classroom mode for a student (`GRADSERVICE_INSTRUCTOR_KEY`)."
    )
    claimed: float = Field(description="The claimed value.")


class Verdict(Selectable):
    """The diagnosis of one claimed gradient."""

    verdict: str = Field(description=VERDICTS + ".")
    factor: float | None = Field(description="α with claimed ≈ α × true: 1 `correct`, −1 `sign_flipped`, α `scaled`.")
    max_abs_error: float | None = Field(
        None,
        description="max |claimed − true| (a transposed claim is transposed back); left out in classroom mode for "
        "a student (`GRADSERVICE_INSTRUCTOR_KEY`), as it gives the true value of a single number away.",
    )
    expected: Matrix | Vector | None = Field(
        None,
        description="The true gradient, the shape of Wₖ (or bₖ); left out in classroom mode for a student "
        "(`GRADSERVICE_INSTRUCTOR_KEY`).",
    )
    hint: str = Field(description="What the verdict means and its usual cause.")
    worst_index: list[int] | None = Field(description="`incorrect`: the index in the claim of the largest error.")
    missing_at_layer: int | None = Field(
        description="`missing_activation_derivative`: the layer j (from 1) whose f′ⱼ was left out."
    )
    rounded_to: int | None = Field(
        None,
        description="The significant digits d (≥ 2) to which the claim is its verdict's reference (the true "
        "gradient, −1 ×, ᵀ, α × it …) rounded; null when the claim matched within `rtol` only, or is incorrect.",
    )
    wrong_entries: list[WrongEntry] = Field(
        [],
        description=f"`incorrect`: the entries that are wrong even rounded to 2 digits and beyond `rtol`, row by row, "
        f"the first {MAX_WRONG}; empty for the other verdicts.",
    )
    wrong_count: int = Field(0, description="`incorrect`: how many entries are wrong in all.")
    mistakes: list[str] = Field(
        [],
        description="The usual mistakes found, at most two (`sign_flipped`, `transposed`, "
        "`missing_activation_derivative`, `scaled`, `one_wrong_entry`, `rounded_to_1_digit`); empty when correct "
        "or when none explains the claim.",
    )


class VerifyLayer(Verdict):
    """Layer k: the verdict on the claimed ∂L/∂Wₖ, and on ∂L/∂bₖ when one was claimed."""

    bias: Verdict | None = Field(None, description="The verdict on the claimed ∂L/∂bₖ; present only when claimed.")


class VerifyResponse(Selectable):
    """A verdict per layer."""

    all_correct: bool = Field(description="Every claimed gradient (and every quantity of `claimed`) is correct.")
    rtol: float = Field(description="The relative tolerance used.")
    layers: list[VerifyLayer] = Field(description="The verdicts on `claimed_gradients`; empty without them.")
    graded: list[GradedQuantity] | None = Field(
        None,
        description="With `claimed`: one entry per quantity given, in the order of the computation (z₁, l₁, …, ŷ, "
        "L, `Δ_L`, …, Δ₁, ∂L/∂W₁, ∂L/∂b₁, …).",
    )
