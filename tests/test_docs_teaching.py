"""The teaching page from its derivation section on stays true: every curl command there gives the answer shown.

Each ``curl`` is sent to the app in-process (same path, headers and body); what follows a ``|`` in the
command is run by bash on the answer, as in a terminal. The block after the command must be the answer:
JSON compared number by number, anything else as text whose numbers agree to a stated tolerance
(:mod:`texts`): BLAS kernels differ in the last bit. An answer other than 200 must be a problem that
documents its status (``"status": 422``). (The check and verify sessions before the derivation, whose
central differences are rounding noise, are run by ``tests/test_readme.py``.)
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
from pathlib import Path

import httpx
import pytest
from texts import same_json, same_text

from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")


def sections() -> str:
    """From the derivation section to the end, the errors section included (a Markdown answer has its own ##)."""
    return PAGE[PAGE.index("\n## Derivation: backpropagation step by step\n") :]


def sessions(text: str) -> list[tuple[str, str, str]]:
    """(command, language, answer) for every ``bash`` block holding a curl command and the block after it."""
    blocks = re.findall(r"^(`{3,4})(\w+)\n(.*?)^\1$", text, flags=re.MULTILINE | re.DOTALL)
    found = []
    for (_, language, body), (_, answer_language, answer) in itertools.pairwise(blocks):
        if language == "bash" and body.startswith("curl "):
            found.append((body.strip(), answer_language, answer))
    return found


SESSIONS = sessions(sections())


async def run(command: str) -> tuple[int, str]:
    """Send the curl part of ``command`` to the app and pipe the answer through the rest: (status, output)."""
    curl, _, pipe = command.partition(" | ")
    words = shlex.split(curl)
    assert words[:2] == ["curl", "-s"]
    url = next(word for word in words if word.startswith("http://127.0.0.1:8000/"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    data = words[words.index("-d") + 1]
    content = (ROOT / data[1:]).read_bytes() if data.startswith("@") else data.encode()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="http://127.0.0.1:8000"
    ) as client:
        response = await client.post(url.removeprefix("http://127.0.0.1:8000"), content=content, headers=headers)
    if not pipe:
        return response.status_code, response.text
    result = subprocess.run(
        ["bash", "-c", pipe], input=response.content, capture_output=True, cwd=ROOT, timeout=60, check=True
    )
    return response.status_code, result.stdout.decode()


def test_every_section_has_its_sessions() -> None:
    paths = [re.search(r"/v1/\w+", command).group() for command, _, _ in SESSIONS]  # type: ignore[union-attr]
    assert paths == ["/v1/derivation", "/v1/derivation", "/v1/train", "/v1/train", "/v1/gradients", "/v1/gradients"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("command", "language", "answer"), SESSIONS, ids=[f"session-{i}" for i in range(len(SESSIONS))]
)
async def test_the_readme_shows_the_real_answer(command: str, language: str, answer: str) -> None:
    status, output = await run(command)
    if status != 200:
        assert language == "json", output
        assert json.loads(answer)["status"] == status, output  # the page shows the status it documents
    if language == "json":
        same_json(json.loads(output), json.loads(answer))
    else:
        same_text(output, answer)
