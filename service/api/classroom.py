"""Grading a class: each submission read on its own, graded, scored; the class summary and the CSV report.

Used by ``POST /v1/grade`` (:mod:`service.api.routers.grade`). A submission that is not valid (shapes,
numbers, unknown fields, limits) or whose student is listed twice gets its own problem details and no
score; every other one is graded.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from gradcore import Graded, assigned_problem, credit, grade, score
from service.api.schemas.answers import graded_content
from service.api.schemas.assignments import AssignmentsRequest, problem_body
from service.api.schemas.grade import GradeRequest, Submission
from service.api.schemas.requests import GradientsRequest
from service.domain.errors import ServiceError
from service.domain.fastpath.context import ReadContext
from service.domain.fastpath.screen import count_numbers
from service.domain.limits import Cost, attempt_work, check_class_numbers, check_submissions, grade_cost, limit_exceeded
from service.domain.settings import Settings
from service.http.problems import error_items

DUPLICATE = "/problems/duplicate-student"


@dataclass
class Entry:
    """One submission: its student, the validated submission or its error, then its grades."""

    student: str | None
    submission: Submission | None = None
    error: dict[str, Any] | None = None
    graded: list[Graded] | None = None
    credits: list[float] | None = None
    score: float | None = None


def _problem(status: int, detail: str, type_: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "title": "Unprocessable Content", "status": status, "detail": detail}
    if errors:
        body["errors"] = errors[:20]
    return body


def read_class(body: bytes, settings: Settings) -> tuple[GradeRequest, list[Entry]]:
    """The request's options and each submission, validated one by one.

    Raises
    ------
    ServiceError
        400 when the body is not a JSON object; 413/422 beyond ``max_submissions``.
    ValidationError
        When the options are not valid (the whole request is refused).
    """
    check_class_numbers(settings, count_numbers(body))
    data = _loads(body)
    if isinstance(data, dict) and isinstance(data.get("submissions"), list):
        check_submissions(settings, len(data["submissions"]))
    request = GradeRequest.model_validate(data)
    made = Problems(request.assignment, settings)
    entries = [_read(index, item, settings, made) for index, item in enumerate(request.submissions)]
    counts = Counter(entry.student for entry in entries)  # the invalid submissions' ids too
    for index, entry in enumerate(entries):
        if entry.error is None and entry.student is not None and counts[entry.student] > 1:
            detail = f"student {entry.student!r} is listed {counts[entry.student]} times: none of them is graded"
            entry.submission = None
            entry.error = _problem(
                422, detail, DUPLICATE, [{"pointer": f"/submissions/{index}/student", "message": detail}]
            )
    return request, entries


def _loads(body: bytes) -> Any:
    """The body's JSON. NaN, Infinity, -Infinity and numbers beyond float64 (as Python's ``json`` writes and
    reads them) are read as floats, so that such a number is its own submission's error, not the class's.

    Raises
    ------
    ServiceError
        400 when the body is not JSON even so.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise ServiceError(
                400, f"The request body is not valid JSON: {error}.", type_="/problems/malformed-json"
            ) from None


class Problems:
    """The problems of an assignment (``/v1/assignments``), made for the submissions that give none.

    All the students' attempts together stay within ``max_request_work`` (as ``/v1/assignments`` bounds them); a
    student whose problem could not be made within it gets a 422 naming the setting, as their own error.
    """

    def __init__(self, assignment: AssignmentsRequest | None, settings: Settings) -> None:
        self.assignment, self.settings = assignment, settings
        layers = len(assignment.sizes) - 1 if assignment is not None else 1
        self.each = attempt_work(layers)
        self.budget = max(1, settings.max_request_work // self.each)

    def given(self, item: Any) -> Any:
        """``item`` with its student's problem, when the assignment is given and the item has no problem.

        Raises
        ------
        ServiceError
            422 ``max_request_work`` when the attempts of the class ran out before this student's problem was made.
        """
        if self.assignment is None or not isinstance(item, dict) or "problem" in item:
            return item
        student = item.get("student")
        if not isinstance(student, str) or not student:
            return item
        problem = assigned_problem(self.assignment.seed, self.assignment.template, student, max_attempts=self.budget)
        if problem is None:
            what = f"the problems made so far took {self.settings.max_request_work // self.each} attempts in all"
            raise limit_exceeded("max_request_work", self.settings.max_request_work, what, pointer="/student")
        self.budget = max(1, self.budget - problem.attempt - 1)
        body = problem_body(problem)
        return {**item, "problem": GradientsRequest.model_validate(body, context=ReadContext(self.settings))}


def _read(index: int, item: Any, settings: Settings, made: Problems) -> Entry:
    student = item.get("student") if isinstance(item, dict) and isinstance(item.get("student"), str) else None
    try:
        return Entry(student, Submission.model_validate(made.given(item), context=ReadContext(settings)))
    except ValidationError as error:
        items = error_items(error.errors(include_url=False))
        for problem in items:
            problem["pointer"] = f"/submissions/{index}{problem['pointer']}"
        shown = "; ".join(f"{problem['pointer']}: {problem['message']}" for problem in items[:3])
        return Entry(
            student,
            error=_problem(
                422,
                f"The submission is invalid: {shown}" + ("" if shown.endswith("?") else "."),
                "/problems/invalid-request",
                items,
            ),
        )
    except ServiceError as error:
        body = _problem(error.status, error.detail, error.type, error.errors)
        return Entry(student, error={**body, **(error.extensions or {})})


def class_cost(entries: list[Entry]) -> Cost:
    """The estimated cost of grading the valid submissions (:func:`service.domain.limits.grade_cost`)."""
    problems = [
        (entry.submission.task.layers, entry.submission.task.inputs.shape[0])
        for entry in entries
        if entry.submission is not None
    ]
    return grade_cost(problems, len(entries))


def grade_class(request: GradeRequest, entries: list[Entry]) -> None:
    """Grade every valid submission in place: its graded quantities, their credits and its score."""
    comparison = request.comparison.to_comparison()
    mistake_credit = {str(name): value for name, value in request.mistake_credit.items()}
    for entry in entries:
        if entry.submission is None:
            continue
        problem, answer = entry.submission.task, entry.submission.answer
        entry.graded = grade(
            problem.layers,
            problem.inputs,
            problem.targets,
            answer.to_answer(problem.inputs.shape[0]),
            problem.loss,
            comparison,
            request.carry_forward,
            unanswered=True,
        )
        entry.credits = [credit(g, mistake_credit, request.carried_forward_credit) for g in entry.graded]
        entry.score = score(entry.credits, [request.weight(g.pointer) for g in entry.graded])


def students_content(request: GradeRequest, entries: list[Entry]) -> list[dict[str, Any]]:
    """The ``students`` of the answer, in the order of the submissions."""
    students = []
    for entry in entries:
        graded = None
        if entry.graded is not None and entry.credits is not None:
            graded = [
                {**graded_content(g, request.expected), "credit": c}
                for g, c in zip(entry.graded, entry.credits, strict=True)
            ]
        students.append({"student": entry.student, "score": entry.score, "graded": graded, "error": entry.error})
    return students


def summary(entries: list[Entry]) -> dict[str, Any]:
    """The class summary: score distribution, share correct per quantity, answer groups (largest first)."""
    scores = [entry.score for entry in entries if entry.score is not None]
    histogram = [0] * 10
    for value in scores:
        histogram[min(int(value * 10), 9)] += 1
    quantities: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
    for entry in entries:
        for g in entry.graded or []:
            row = quantities.setdefault(
                g.pointer, {"pointer": g.pointer, "symbol": g.symbol, "answered": 0, "correct": 0}
            )
            row["answered"] += g.verdict != "unanswered"
            row["correct"] += g.verdict == "correct"
            if g.verdict not in ("correct", "unanswered"):
                key = (g.pointer, g.verdict, g.mistakes)
                group = groups.setdefault(
                    key,
                    {
                        "pointer": g.pointer,
                        "symbol": g.symbol,
                        "verdict": g.verdict,
                        "mistakes": list(g.mistakes),
                        "students": [],
                    },
                )
                group["students"].append(entry.student)
    for row in quantities.values():
        row["share_correct"] = row["correct"] / len(scores) if scores else 0.0
    listed = sorted(groups.values(), key=lambda group: -len(group["students"]))
    return {
        "students": len(entries),
        "graded": len(scores),
        "errors": len(entries) - len(scores),
        "scores": {
            "mean": statistics.fmean(scores) if scores else None,
            "median": statistics.median(scores) if scores else None,
            "min": min(scores, default=None),
            "max": max(scores, default=None),
            "histogram": [{"from": i / 10, "to": (i + 1) / 10, "count": n} for i, n in enumerate(histogram)],
        },
        "quantities": list(quantities.values()),
        "groups": [{**group, "count": len(group["students"])} for group in listed],
    }


def comment(entry: Entry) -> str:
    """A short comment naming the mistakes, e.g. ``Δ_2: sign_flipped; ∂L/∂W_1: transposed + one_wrong_entry``."""
    if entry.error is not None:
        return f"not graded: {entry.error['detail']}"
    parts = []
    for g in entry.graded or []:
        if g.verdict not in ("correct", "unanswered"):
            parts.append(f"{g.symbol}: {' + '.join(g.mistakes) or 'incorrect'}")
        elif g.carried_forward:
            parts.append(f"{g.symbol}: carried forward")
    return "; ".join(parts) or "all correct"


def csv_report(entries: list[Entry]) -> str:
    """One row per student: ``student``, ``score``, one credit column per quantity, ``comment``."""
    columns: dict[str, str] = {}
    for entry in entries:
        for g in entry.graded or []:
            columns.setdefault(g.pointer, g.symbol)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "score", *columns.values(), "comment"])
    for entry in entries:
        by_pointer = dict(zip((g.pointer for g in entry.graded or []), entry.credits or [], strict=True))
        credits = [f"{by_pointer[p]:.4g}" if p in by_pointer else "" for p in columns]
        shown = "" if entry.score is None else f"{entry.score:.4f}"
        writer.writerow([entry.student or "", shown, *credits, comment(entry)])
    return out.getvalue()
