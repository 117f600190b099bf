"""``POST /v1/grade`` with the assignment at the top: each student's problem is made again from it.

The answers are the keys of ``/v1/assignments`` themselves (every quantity, right by construction), one with
∂L/∂W_2's sign flipped; the same class graded with its problems written out must get the same grades.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
ASSIGNMENT = json.loads((Path(__file__).resolve().parents[3] / "examples" / "assignment_template.json").read_text())


async def class_of(client: httpx.AsyncClient) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each student's problem and answer (the last one with ∂L/∂W_2's sign flipped)."""
    made = await client.post("/v1/assignments", json={**ASSIGNMENT, "include": ["key"]})
    assert made.status_code == 200, made.text
    problems = made.json()["problems"]
    answers = [entry["key"] for entry in problems]
    last = answers[-1]["layers"][1]
    last["weights_gradient"] = [[-value for value in row] for row in last["weights_gradient"]]
    return problems, answers


async def test_the_assignment_at_the_top_grades_as_the_problems_written_out(client: httpx.AsyncClient) -> None:
    problems, answers = await class_of(client)
    written = [
        {"student": entry["student"], "problem": entry["problem"], "answer": answer}
        for entry, answer in zip(problems, answers, strict=True)
    ]
    short = [{"student": entry["student"], "answer": answer} for entry, answer in zip(problems, answers, strict=True)]
    by_problems = await client.post("/v1/grade", json={"submissions": written})
    by_assignment = await client.post("/v1/grade", json={"submissions": short, "assignment": ASSIGNMENT})
    assert by_problems.status_code == by_assignment.status_code == 200, by_assignment.text
    assert by_assignment.json()["students"] == by_problems.json()["students"]
    scores = [student["score"] for student in by_assignment.json()["students"]]
    assert scores[:-1] == [1.0] * (len(scores) - 1)
    assert scores[-1] < 1.0
    flipped = [q for q in by_assignment.json()["students"][-1]["graded"] if q["verdict"] != "correct"]
    assert [(q["pointer"], q["verdict"]) for q in flipped] == [("/layers/1/weights_gradient", "sign_flipped")]


async def test_without_the_assignment_a_submission_without_a_problem_is_its_own_error(
    client: httpx.AsyncClient,
) -> None:
    _, answers = await class_of(client)
    answer = await client.post("/v1/grade", json={"submissions": [{"student": "ada", "answer": answers[0]}]})
    assert answer.status_code == 200, answer.text
    (student,) = answer.json()["students"]
    assert "score" not in student or student["score"] is None
    assert "/submissions/0/problem" in [error["pointer"] for error in student["error"]["errors"]]
