"""Classroom mode (``GRADSERVICE_INSTRUCTOR_KEY``): students check their work and get their problems without
seeing an answer; the instructor's key sees everything; the playground's files stay open."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
KEY = "instructor-secret"


def example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / name).read_text(encoding="utf-8")))


@pytest.fixture
async def classroom(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(Settings(instructor_key=KEY)))
    async with httpx.AsyncClient(transport=transport, base_url="http://class") as client:
        yield client


def keys_named(value: Any, name: str) -> int:
    """How many members named ``name`` ``value`` holds, at every depth."""
    if isinstance(value, dict):
        return (name in value) + sum(keys_named(item, name) for item in value.values())
    if isinstance(value, list):
        return sum(keys_named(item, name) for item in value)
    return 0


@pytest.mark.parametrize(
    "path", ["/v1/gradients", "/v1/forward", "/v1/loss", "/v1/derivation", "/v1/gradients/check", "/v1/train"]
)
async def test_a_student_cannot_post_what_reveals_the_answers(classroom: httpx.AsyncClient, path: str) -> None:
    body = example("xor_training.json") if path == "/v1/train" else example("seed_case_5.json")
    refused = await classroom.post(path, json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/classroom"
    assert "/v1/gradients/verify" in refused.json()["detail"]
    allowed = await classroom.post(path, json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert allowed.status_code == 200, allowed.text


async def test_a_student_s_verify_keeps_the_verdicts_and_withholds_the_expected_values(
    classroom: httpx.AsyncClient,
) -> None:
    body = example("verify_wrong_sign.json")
    student = await classroom.post("/v1/gradients/verify", json=body)
    instructor = await classroom.post("/v1/gradients/verify", json=body, headers={"X-API-Key": KEY})
    assert student.status_code == instructor.status_code == 200
    assert keys_named(instructor.json(), "expected") > 0
    assert keys_named(student.json(), "expected") == 0
    verdicts = [layer["verdict"] for layer in student.json()["layers"]]
    assert verdicts == [layer["verdict"] for layer in instructor.json()["layers"]]
    assert "sign_flipped" in verdicts


async def test_a_student_s_partial_check_marks_the_wrong_positions_without_their_values(
    classroom: httpx.AsyncClient,
) -> None:
    body = example("seed_case_5.json")
    instructor = await classroom.post("/v1/gradients", json=body, headers={"X-API-Key": KEY})
    delta_2 = instructor.json()["layers"][1]["delta"]
    claimed = {"layers": [{}, {"delta": [[2 * delta_2[0][0]]]}]}
    student = await classroom.post("/v1/gradients/verify", json={**body, "claimed": claimed})
    assert student.status_code == 200, student.text
    (graded,) = student.json()["graded"]
    assert graded["pointer"] == "/layers/1/delta"
    assert graded["verdict"] != "correct"
    assert graded["wrong_entries"]
    assert keys_named(student.json(), "expected") == 0


async def test_a_student_gets_the_problems_but_not_the_key(classroom: httpx.AsyncClient) -> None:
    assignment = example("assignment_template.json")
    problems = await classroom.post("/v1/assignments", json=assignment)
    assert problems.status_code == 200, problems.text
    refused = await classroom.post("/v1/assignments", json={**assignment, "include": ["key"]})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["pointer"] == "/include"
    keyed = await classroom.post("/v1/assignments", json={**assignment, "include": ["key"]}, headers={"X-API-Key": KEY})
    assert keyed.status_code == 200


@pytest.mark.parametrize("path", ["/playground", "/playground/main.js", "/healthz", "/docs", "/openapi.json"])
async def test_what_reveals_no_answer_stays_open(classroom: httpx.AsyncClient, path: str) -> None:
    assert (await classroom.get(path)).status_code == 200


async def test_without_the_setting_nothing_is_withheld(anyio_backend: str) -> None:
    transport = httpx.ASGITransport(app=create_app(Settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://open") as client:
        answer = await client.post("/v1/gradients/verify", json=example("verify_wrong_sign.json"))
    assert keys_named(answer.json(), "expected") > 0
