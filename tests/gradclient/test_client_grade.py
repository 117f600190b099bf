"""``grade()`` and ``grade_csv()`` of both clients, in-process: typed results of the class and the CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from gradclient import AsyncGradientClient, GradeResult, GradientClient, ProblemError
from service.app import create_app

APP = create_app()
SUBMISSIONS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "grade_class.json").read_text(encoding="utf-8")
)["submissions"]


def test_the_sync_client_grades_a_class() -> None:
    with GradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as client:
        result = client.grade(SUBMISSIONS, mistake_credit={"transposed": 1.0}, expected=True)
        rows = list(csv.DictReader(io.StringIO(client.grade_csv(SUBMISSIONS))))
        with pytest.raises(ProblemError) as raised:
            client.grade(SUBMISSIONS, comparison={"mode": "exact"})
    assert isinstance(result, GradeResult)
    assert [s.student for s in result.students] == ["ana", "ben", "cy", "dan"]
    assert result.students[0].score == 1.0
    ben = {g.symbol: g for g in result.students[1].graded or ()}
    assert (ben["Δ_2"].verdict, ben["Δ_2"].mistakes, ben["Δ_2"].credit) == ("sign_flipped", ("sign_flipped",), 0.0)
    assert ben["Δ_1"].carried_forward
    assert ben["Δ_1"].expected is not None
    cy = {g.symbol: g for g in result.students[2].graded or ()}
    assert cy["∂L/∂W_1"].credit == 1.0  # the option: a transpose earns full credit
    assert result.students[3].error is not None
    assert result.summary.groups[0].students == ("ben",)
    assert [row["student"] for row in rows] == ["ana", "ben", "cy", "dan"]
    assert raised.value.status == 422


def test_the_async_client_grades_a_class() -> None:
    async def grade() -> GradeResult:
        async with AsyncGradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as client:
            return await client.grade(SUBMISSIONS[:2], carry_forward=False)

    result = asyncio.run(grade())
    ben = {g.symbol: g for g in result.students[1].graded or ()}
    assert not ben["Δ_1"].carried_forward
    assert ben["Δ_1"].verdict != "correct"
