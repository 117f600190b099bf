"""docs/checking.md stays true: every curl command there, sent to the app in-process, gives the answer shown.

What follows a ``|`` in a command is run by bash on the answer, as in a terminal. JSON answers are compared
number by number (:func:`texts.same_json`); the CSV is read back with the ``csv`` module, its numbers compared
with a tolerance.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shlex
import subprocess
from pathlib import Path

import httpx
import pytest
from texts import same_json

from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "checking.md").read_text(encoding="utf-8")


def sessions() -> list[tuple[str, str, str]]:
    blocks = re.findall(r"^(`{3,4})(\w+)\n(.*?)^\1$", PAGE, flags=re.MULTILINE | re.DOTALL)
    return [
        (body.strip(), language, answer)
        for (_, kind, body), (_, language, answer) in itertools.pairwise(blocks)
        if kind == "bash" and body.startswith("curl ")
    ]


SESSIONS = sessions()


async def run(command: str) -> str:
    curl, _, pipe = command.partition(" | ")
    words = shlex.split(curl)
    url = next(word for word in words if word.startswith("http://127.0.0.1:8000/"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    data = words[words.index("-d") + 1]
    content = (ROOT / data[1:]).read_bytes()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="http://127.0.0.1:8000"
    ) as client:
        response = await client.post(url.removeprefix("http://127.0.0.1:8000"), content=content, headers=headers)
    assert response.status_code == 200, response.text
    if not pipe:
        return response.text
    result = subprocess.run(["bash", "-c", pipe], input=response.content, capture_output=True, cwd=ROOT, check=True)
    return result.stdout.decode()


def test_the_page_has_its_sessions() -> None:
    assert [(re.search(r"/v1/[\w/]+", c).group(), language) for c, language, _ in SESSIONS] == [  # type: ignore[union-attr]
        ("/v1/gradients/verify", "json"),
        ("/v1/grade", "csv"),
        ("/v1/grade", "json"),
        ("/v1/grade", "json"),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(("command", "language", "answer"), SESSIONS, ids=[f"session-{i}" for i in range(4)])
async def test_the_page_shows_the_real_answer(command: str, language: str, answer: str) -> None:
    output = await run(command)
    if language == "json":
        same_json(json.loads(output), json.loads(answer))
        return
    rows, shown = list(csv.reader(io.StringIO(output))), list(csv.reader(io.StringIO(answer)))
    assert [len(row) for row in rows] == [len(row) for row in shown]
    for row, expected in zip(rows, shown, strict=True):
        for cell, cell_shown in zip(row, expected, strict=True):
            try:
                assert float(cell) == pytest.approx(float(cell_shown), abs=1e-4)
            except ValueError:
                assert cell == cell_shown
