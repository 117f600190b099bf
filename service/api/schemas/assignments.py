"""``POST /v1/assignments``: the request (a seed, the students and the template) and the problems it answers."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

import gradcore
from gradcore import AssignmentTemplate, Problem, template_problems
from service.api.schemas.assignment_examples import ASSIGNMENT_EXAMPLE
from service.api.schemas.network import ActivationName
from service.api.schemas.requests import LossName
from service.api.schemas.responses import GradientsResponse
from service.domain import limits
from service.domain.fastpath.context import read_context

MAX_SEED = 2**63 - 1
MAX_STUDENT_ID = 200
"""The longest student id, in characters."""

Student = Annotated[str, StringConstraints(min_length=1, max_length=MAX_STUDENT_ID)]
AssignmentExtra = Literal["key"]
"""What ``include`` may add to each problem: ``key``, its full ``/v1/gradients`` answer."""


class AssignmentsRequest(BaseModel):
    """A seed, the students, and the template of every student's problem."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ASSIGNMENT_EXAMPLE]})

    seed: int = Field(ge=0, le=MAX_SEED, strict=True, description="Any integer from 0 to 2⁶³ − 1.")
    students: list[Student] = Field(
        min_length=1, description="The students' ids (1 to 200 characters each), each listed once."
    )
    sizes: list[Annotated[int, Field(ge=1, strict=True)]] = Field(
        min_length=2,
        description="n₀, n₁, …, `n_L`: inputs, then the nodes of each layer; `[3, 2, 1]`: W₁ 3 × 2, W₂ 2 × 1.",
    )
    activations: list[ActivationName] = Field(description="f₁ … `f_L`, one per layer.")
    loss: LossName = Field("half_squared_error", description="The loss, as in `/v1/gradients`.")
    examples: int = Field(1, ge=1, strict=True, description="m, the rows of X and Y.")
    bias: bool = Field(False, strict=True, description="Whether every layer has a bias bₖ.")
    decimals: int = Field(
        1, ge=1, le=3, strict=True, description="Every given number is a nonzero multiple of 10⁻ᵈ (d from 1 to 3)."
    )
    include: list[AssignmentExtra] | None = Field(
        None, min_length=1, description='`["key"]`: each problem also carries `key`, its `/v1/gradients` answer.'
    )

    @property
    def template(self) -> AssignmentTemplate:
        """The template as gradcore takes it."""
        return AssignmentTemplate(
            tuple(self.sizes), tuple(self.activations), self.loss, self.examples, self.bias, self.decimals
        )

    @property
    def with_key(self) -> bool:
        """Whether ``include`` asks for the answer key."""
        return self.include is not None and "key" in self.include

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        """The limits of :mod:`service.domain.limits` (given settings in the context), the ids, the template."""
        settings = read_context(info.context).settings
        if settings is not None:
            limits.check_assignment(settings, len(self.students), self.sizes, self.examples, self.bias)
        seen: dict[str, int] = {}
        problems = []
        for i, student in enumerate(self.students):
            if any(unicodedata.category(character) == "Cc" for character in student):
                problems.append(
                    Problem(("students", i), "a student id may not hold control characters (newlines, tabs …)")
                )
            elif student in seen:
                message = f"this id is listed twice (also at /students/{seen[student]})"
                problems.append(Problem(("students", i), message))
            seen.setdefault(student, i)
        problems += template_problems(self.template)
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("invalid_template", problem.message), loc=problem.location, input=None
                    )
                    for problem in problems
                ],
            )
        return self


class AssignedProblem(BaseModel):
    """One student's problem."""

    student: str = Field(description="The student's id.")
    attempt: int = Field(description="The attempt of the algorithm (docs/grading.md) whose draws were kept, from 0.")
    problem: dict[str, Any] = Field(
        description="A `/v1/gradients` request: `network` (Wₖ, fₖ, bₖ), `inputs` X, `targets` Y and `loss`."
    )
    playground: str = Field(
        description="The problem in the playground's exercise mode, a path of this service: "
        "`/playground#assignment=SEED&student=ID&sizes=…` (the page asks this endpoint for the problem again)."
    )
    key: GradientsResponse | None = Field(
        None, description='With `"include": ["key"]`: the `/v1/gradients` answer to `problem`, every quantity exact.'
    )


class AssignmentsResponse(BaseModel):
    """A problem per student, in the order of the request."""

    problems: list[AssignedProblem]


def problem_body(problem: gradcore.AssignedProblem) -> dict[str, Any]:
    """The student's problem as a ``/v1/gradients`` request body (arrays left as numpy, for orjson)."""
    layers = []
    for layer in problem.layers:
        spec: dict[str, Any] = {"weights": layer.W, "activation": layer.activation}
        if layer.b is not None:
            spec["bias"] = layer.b
        layers.append(spec)
    return {"network": {"layers": layers}, "inputs": problem.X, "targets": problem.Y, "loss": problem.loss}
