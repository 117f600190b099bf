"""``/v1/grade``: a class's submissions (each a problem and a student's partial answer), the options, the answer.

Each submission is validated on its own (:class:`Submission`), so that a bad one gets its own problem details
and every other student is still graded; only the options and the size concern the whole request.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gradcore import MISTAKE_CREDIT, RTOL, Comparison, Problem, answer_problems
from service.api.schemas.answers import AnswerSpec, GradedQuantity
from service.api.schemas.assignments import AssignmentsRequest
from service.api.schemas.requests import GradientsRequest, raise_problems

MistakeName = Literal[
    "sign_flipped", "transposed", "missing_activation_derivative", "scaled", "one_wrong_entry", "rounded_to_1_digit"
]
KINDS = ("pre_activation", "activation", "output", "loss", "delta", "weights_gradient", "bias_gradient")
POINTER = re.compile(
    r"^/(loss|output|layers/(0|[1-9][0-9]{0,3})/(pre_activation|activation|delta|weights_gradient|bias_gradient))$"
)


class ComparisonSpec(BaseModel):
    """How a value is compared with the expected one (PrairieLearn's three rules, and the default)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    mode: Literal["rounding", "relabs", "sigfig", "decdig"] = Field(
        "rounding",
        description="`rounding` (the default, for work by hand): a value written to d ≥ 2 significant digits is "
        "right when each entry is within half a unit of the expected value's (d − 1)-th digit, or when "
        "max |C − R| ≤ rtol · max |R|; `relabs`: |C − R| ≤ atol + rtol · |R| per entry; `sigfig`: right to "
        "`digits` significant figures; `decdig`: right to `digits` decimal digits.",
    )
    rtol: float = Field(RTOL, gt=0.0, lt=1.0, allow_inf_nan=False, description="Relative tolerance.")
    atol: float = Field(1e-8, ge=0.0, allow_inf_nan=False, description="Absolute tolerance (`relabs`).")
    digits: int = Field(3, ge=1, le=15, description="Significant figures (`sigfig`) or decimal digits (`decdig`).")

    def to_comparison(self) -> Comparison:
        """The gradcore comparison."""
        return Comparison(self.mode, self.rtol, self.atol, self.digits)


class Submission(BaseModel):
    """One student's submission: their problem (a `/v1/gradients` request) and their partial answer."""

    model_config = ConfigDict(extra="forbid")

    student: str = Field(min_length=1, max_length=200, description="The student's id, unique in the class.")
    problem: GradientsRequest | None = Field(
        None,
        description="The student's problem: a `/v1/gradients` request. Leave it out when the grade request gives "
        "the `assignment` once: the service then makes each student's problem from it, as `/v1/assignments` does.",
    )
    answer: AnswerSpec = Field(
        description="The student's partial answer: any of the quantities of the gradients answer."
    )

    @model_validator(mode="after")
    def _check_answer(self) -> Self:
        """The answer's shapes against the problem's network (``answer/...`` in the errors)."""
        problem = self.problem
        if problem is None:
            message = "required: the student's problem, a /v1/gradients request (or the assignment at the top)"
            raise_problems(type(self).__name__, [Problem(("problem",), message)])
            return self
        self.problem = problem
        answer = self.answer.to_answer(problem.inputs.shape[0])
        raise_problems(type(self).__name__, answer_problems(problem.layers, problem.inputs, answer, root=("answer",)))
        return self

    @property
    def task(self) -> GradientsRequest:
        """The student's problem, which validation always sets."""
        if self.problem is None:
            raise ValueError("a validated submission always has its problem")
        return self.problem


class GradeRequest(BaseModel):
    """A class's submissions and how to grade them."""

    model_config = ConfigDict(extra="forbid", strict=True)

    submissions: list[Any] = Field(
        min_length=1,
        description='The submissions, each `{"student", "problem", "answer"}`: a student id, their problem (a '
        "`/v1/gradients` request) and their partial answer (`loss`, `output`, `layers[k]` with `pre_activation`, "
        "`activation`, `delta`, `weights_gradient`, `bias_gradient`; missing or null: not answered). A submission "
        "that is not valid, or whose student is listed twice, gets an `error` and no score.",
    )
    comparison: ComparisonSpec = Field(default_factory=ComparisonSpec, description="How values are compared.")
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Credit weight per quantity (1 when absent): by kind (`pre_activation`, `activation`, `output`, "
        "`loss`, `delta`, `weights_gradient`, `bias_gradient`) or by pointer (`/layers/1/delta`), the pointer first. "
        "0 leaves a quantity out of the score.",
    )
    mistake_credit: dict[MistakeName, float] = Field(
        default_factory=dict,
        description="Credit factor in [0, 1] per diagnosed mistake; the factors of a combination multiply. Defaults: "
        + ", ".join(f"`{name}` {value:g}" for name, value in MISTAKE_CREDIT.items())
        + ".",
    )
    carry_forward: bool = Field(True, description="Credit a value right given the student's own earlier wrong ones.")
    carried_forward_credit: float = Field(
        1.0, ge=0.0, le=1.0, description="The credit of a value right only with error carried forward."
    )
    expected: bool = Field(False, description="Send each quantity's true value (`expected`) too.")
    assignment: AssignmentsRequest | None = Field(
        None,
        description="The `/v1/assignments` request the class was given: each submission without a `problem` gets "
        "its student's problem made from it (the same seed, template and id give the same problem).",
    )

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        for key, value in weights.items():
            if key not in KINDS and not POINTER.match(key):
                raise ValueError(
                    f"unknown quantity `{key[:64]}`: write a kind ({', '.join(KINDS)}) or a pointer such as "
                    "/layers/0/delta"
                )
            if not 0.0 <= value < float("inf"):
                raise ValueError(f"the weight of `{key}` must be a finite number ≥ 0")
        return weights

    @field_validator("mistake_credit")
    @classmethod
    def _credits(cls, credits: dict[str, float]) -> dict[str, float]:
        for key, value in credits.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"the credit factor of `{key}` must be between 0 and 1")
        return credits

    def weight(self, pointer: str) -> float:
        """The credit weight of the quantity at ``pointer``."""
        if pointer in self.weights:
            return self.weights[pointer]
        kind = pointer.rsplit("/", 1)[-1]
        return self.weights.get(kind, 1.0)


class GradedCredit(GradedQuantity):
    """The grade of one quantity, with its credit."""

    credit: float = Field(description="The credit in [0, 1]: 1 correct, the mistakes' factors, 0 otherwise.")


class StudentGrade(BaseModel):
    """One submission's grade, or its error."""

    student: str | None = Field(description="The student's id (null when the submission has none).")
    score: float | None = Field(
        description="Σ weight · credit / Σ weight over every quantity, in [0, 1]; null on error."
    )
    graded: list[GradedCredit] | None = Field(description="One entry per quantity, in the order of the computation.")
    error: dict[str, Any] | None = Field(
        description="The submission's problem details (RFC 9457) when it is not valid."
    )


class Group(BaseModel):
    """Students who made the same mistake on the same quantity."""

    pointer: str
    symbol: str
    verdict: str
    mistakes: list[str]
    count: int
    students: list[str]


class QuantitySummary(BaseModel):
    """How the class did on one quantity."""

    pointer: str
    symbol: str
    answered: int
    correct: int
    share_correct: float = Field(description="correct / graded students (0 when none).")


class GradeSummary(BaseModel):
    """The class at a glance."""

    students: int
    graded: int
    errors: int
    scores: dict[str, Any] = Field(description="`mean`, `median`, `min`, `max` and a 10-bin `histogram`.")
    quantities: list[QuantitySummary]
    groups: list[Group] = Field(description="Answer groups, the largest first.")


class GradeResponse(BaseModel):
    """Every student's grade, in the order of the submissions, and the class summary."""

    students: list[StudentGrade]
    summary: GradeSummary
