"""A learner's partial answer (the fields of a gradients answer, any subset) and the grades it gets.

One structure for both of its uses: ``claimed`` in a verify request and each student's ``answer`` in a grade
request. Every quantity is optional; missing or null means not answered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gradcore import Answer, LayerAnswer, as_answer_matrix
from service.api.schemas.responses import Matrix, Vector
from service.api.schemas.tensor import Array, Tensor

MATRIX = "m × nₖ, one row per example (a number for one example and one node; a flat list for one example)."


class LayerAnswerSpec(BaseModel):
    """What the learner computed for layer k; any subset."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    pre_activation: Tensor | None = Field(None, description=f"zₖ = lₖ₋₁ · Wₖ (+ bₖ), {MATRIX}")
    activation: Tensor | None = Field(None, description=f"lₖ = fₖ(zₖ), {MATRIX}")
    delta: Tensor | None = Field(None, description=f"Δₖ = ∂L/∂zₖ, {MATRIX}")
    weights_gradient: Tensor | None = Field(
        None, description="∂L/∂Wₖ, nₖ₋₁ × nₖ like Wₖ (its transpose is accepted and diagnosed)."
    )
    bias_gradient: Tensor | None = Field(None, description="∂L/∂bₖ, nₖ numbers (a layer with a bias only).")


class AnswerSpec(BaseModel):
    """A partial gradients answer: `loss`, `output` and `layers[k]`, each optional."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    loss: Tensor | None = Field(None, description="L, a number.")
    output: Tensor | None = Field(None, description="ŷ = `l_L`, m × `n_L`.")
    layers: list[LayerAnswerSpec | None] | None = Field(
        None, description="Layers 1 … k (k ≤ L), each an object of the quantities answered for it, or null."
    )

    def to_answer(self, m: int) -> Answer:
        """The gradcore answer, a number read as 1 × 1 and, for one example, a flat list as one row."""

        def matrix(value: Array | None) -> Array | None:
            return as_answer_matrix(value, m)

        layers = tuple(
            LayerAnswer()
            if layer is None
            else LayerAnswer(
                matrix(layer.pre_activation),
                matrix(layer.activation),
                matrix(layer.delta),
                None if layer.weights_gradient is None else as_answer_matrix(layer.weights_gradient, 0),
                layer.bias_gradient if layer.bias_gradient is None else layer.bias_gradient.reshape(-1),
            )
            for layer in self.layers or []
        )
        loss = self.loss
        if loss is not None and loss.size == 1:
            loss = loss.reshape(())
        return Answer(loss, matrix(self.output), layers)


class WrongValue(BaseModel):
    """One wrong entry of a graded quantity."""

    row: int | None = Field(description="Its row (the example for zₖ, lₖ, Δₖ, ŷ); null for a number or a bias.")
    column: int | None = Field(description="Its column; null for a number.")
    claimed: float = Field(description="The value given.")
    expected: float | None = Field(
        None,
        description="The value expected (given the learner's own earlier answers, if wrong); left out in classroom "
        "mode for a student (`GRADSERVICE_INSTRUCTOR_KEY`).",
    )


class GradedQuantity(BaseModel):
    """The grade of one quantity of a partial answer."""

    pointer: str = Field(description="The JSON pointer of the quantity in the answer, e.g. `/layers/1/delta` (Δ₂).")
    symbol: str = Field(description="The quantity in the seed's notation, e.g. `Δ_2`.")
    verdict: str = Field(
        description="`correct`, `sign_flipped`, `transposed`, `missing_activation_derivative`, `scaled`, "
        "`incorrect`, or `unanswered`."
    )
    mistakes: list[str] = Field(description="The usual mistakes found, at most two; empty when correct.")
    carried_forward: bool = Field(
        description="Right given the learner's own earlier wrong answers (error carried forward), not against the "
        "true value."
    )
    hint: str = Field(description="What the verdict means, in the seed's notation.")
    wrong_entries: list[WrongValue] = Field(description="The wrong entries, the first 20.")
    wrong_count: int = Field(description="How many entries are wrong in all.")
    rounded_to: int | None = Field(description="The significant digits to which the value is its reference rounded.")
    expected: Matrix | Vector | float | None = Field(None, description="The true value.")


def where(index: tuple[int, ...]) -> dict[str, int | None]:
    """Row and column of an entry's index: (i, j) of a matrix, (j,) of a bias, () of a number."""
    if len(index) == 2:
        return {"row": index[0], "column": index[1]}
    return {"row": None, "column": index[0] if index else None}


def graded_content(entry: Any, expected: bool = True) -> dict[str, Any]:
    """One :class:`gradcore.Graded` as JSON (``expected``: with the true value)."""
    content: dict[str, Any] = {
        "pointer": entry.pointer,
        "symbol": entry.symbol,
        "verdict": entry.verdict,
        "mistakes": list(entry.mistakes),
        "carried_forward": entry.carried_forward,
        "hint": entry.hint,
        "wrong_entries": [
            {**where(wrong.index), "claimed": wrong.claimed, "expected": wrong.expected} for wrong in entry.wrong
        ],
        "wrong_count": entry.wrong_count,
        "rounded_to": entry.rounded_to,
    }
    if expected:
        value = entry.expected
        content["expected"] = float(value) if value.ndim == 0 else value
    return content
