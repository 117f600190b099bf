"""``POST /v1/grade`` and ``claimed`` in verify: the graded quantities, a class's grades and its summary, and the
requests :func:`grade` and :func:`grade_csv`, methods of both clients (:mod:`gradclient.calls`).

A submission is ``{"student", "problem", "answer"}``: a student id, their problem (a ``/v1/gradients`` request
body) and their partial answer (``loss``, ``output``, ``layers[k]`` with ``pre_activation``, ``activation``,
``delta``, ``weights_gradient``, ``bias_gradient``; any subset).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from gradclient.calls import Call, json_call, text_call
from gradclient.results import Array, GradedQuantity, Result, WrongValue

# The inherited fields' annotations are read in this module's names (Result.from_json): keep them here.
_ANNOTATIONS = (Callable, ClassVar, Array, WrongValue)
GRADE = "/v1/grade"


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


def grade(
    submissions: Sequence[Mapping[str, Any]],
    *,
    comparison: Mapping[str, Any] | None = None,
    weights: Mapping[str, float] | None = None,
    mistake_credit: Mapping[str, float] | None = None,
    carry_forward: bool | None = None,
    carried_forward_credit: float | None = None,
    expected: bool | None = None,
) -> Call[GradeResult]:
    """Grade a class (``POST /v1/grade``): each submission ``{"student", "problem", "answer"}`` quantity by
    quantity, with error carried forward; the options as the service names them."""
    options = {
        "comparison": comparison,
        "weights": weights,
        "mistake_credit": mistake_credit,
        "carry_forward": carry_forward,
        "carried_forward_credit": carried_forward_credit,
        "expected": expected,
    }
    return json_call(GRADE, grade_body(submissions, **options), GradeResult)


def grade_csv(submissions: Sequence[Mapping[str, Any]], **options: Any) -> Call[str]:
    """The class's grades as CSV (``Accept: text/csv``): ``student``, ``score``, a credit column per quantity,
    ``comment``; ``options`` as in :meth:`grade`."""
    return text_call(GRADE, grade_body(submissions, **options), accept="text/csv")
