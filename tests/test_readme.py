"""The README stays true: its example answer is the service's answer, its test command is what CI runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import numpy as np
import pytest

from service.app import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def _assert_same_numbers(actual: object, expected: object) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert actual.keys() == expected.keys()
        for key in expected:
            _assert_same_numbers(actual[key], expected[key])
    else:
        np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=1e-12)


def test_readme_opens_with_the_two_commands() -> None:
    commands = [block.strip() for block in _blocks("bash")[:2]]
    assert commands[0].endswith("python -m service")
    assert commands[1].endswith("pytest")
    assert all(command.startswith("python3 -m pip install uv && ") for command in commands)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _blocks("bash")[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.anyio
async def test_readme_example_is_the_real_answer() -> None:
    request_block, answer_block = _blocks("json")[:2]
    request = json.loads(request_block)
    assert request == json.loads((ROOT / "examples" / "seed_case_5.json").read_text(encoding="utf-8"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/v1/gradients", json=request)
    assert response.status_code == 200
    answer = response.json()
    expected = json.loads(answer_block)
    assert answer["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    assert len(answer["layers"]) == len(expected["layers"])
    for actual_layer, expected_layer in zip(answer["layers"], expected["layers"], strict=True):
        _assert_same_numbers(actual_layer, expected_layer)
    _assert_same_numbers(answer["output"], expected["output"])
