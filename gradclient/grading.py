"""``POST /v1/grade`` and ``claimed`` in verify: the graded quantities, a class's grades and its summary.

A submission is ``{"student", "problem", "answer"}``: a student id, their problem (a ``/v1/gradients`` request
body) and their partial answer (``loss``, ``output``, ``layers[k]`` with ``pre_activation``, ``activation``,
``delta``, ``weights_gradient``, ``bias_gradient``; any subset).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from gradclient.calls import Call
from gradclient.results import Array, GradedQuantity, Result, WrongValue

# The inherited fields' annotations are read in this module's names (Result.from_json): keep them here.
_ANNOTATIONS = (Callable, ClassVar, Array, WrongValue)


@dataclass(frozen=True, eq=False, kw_only=True)
class GradedCredit(GradedQuantity):
    """A graded quantity of a student, with its credit in [0, 1]."""

    credit: float


@dataclass(frozen=True, eq=False, kw_only=True)
class StudentGrade(Result):
    """One submission's grade: ``score`` in [0, 1] and ``graded``, or its ``error`` (problem details)."""

    student: str | None = None
    score: float | None = None
    graded: tuple[GradedCredit, ...] | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class Group(Result):
    """The students who made the same mistake on the same quantity."""

    pointer: str
    symbol: str
    verdict: str
    mistakes: tuple[str, ...]
    count: int
    students: tuple[str, ...]


@dataclass(frozen=True, eq=False, kw_only=True)
class QuantitySummary(Result):
    """How the class did on one quantity."""

    pointer: str
    symbol: str
    answered: int
    correct: int
    share_correct: float


@dataclass(frozen=True, eq=False, kw_only=True)
class GradeSummary(Result):
    """The class: counts, the score distribution, the share correct per quantity, the answer groups."""

    students: int
    graded: int
    errors: int
    scores: dict[str, Any]
    quantities: tuple[QuantitySummary, ...]
    groups: tuple[Group, ...]


@dataclass(frozen=True, eq=False, kw_only=True)
class GradeResult(Result):
    """``POST /v1/grade``: every student's grade, in the order of the submissions, and the class summary."""

    students: tuple[StudentGrade, ...]
    summary: GradeSummary


def grade_body(submissions: Sequence[Mapping[str, Any]], **options: Any) -> dict[str, Any]:
    """The request body: the submissions and the options that are set (``comparison``, ``weights``,
    ``mistake_credit``, ``carry_forward``, ``carried_forward_credit``, ``expected``)."""
    body: dict[str, Any] = {"submissions": [dict(submission) for submission in submissions]}
    body.update((name, value) for name, value in options.items() if value is not None)
    return body


def grade(submissions: Sequence[Mapping[str, Any]], **options: Any) -> Call[GradeResult]:
    return Call("/v1/grade", grade_body(submissions, **options), GradeResult)
