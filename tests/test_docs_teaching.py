"""The teaching page stays true: every curl command there gives the answer shown, and its words match the examples.

Each ``curl`` is sent to the app in-process (same path, headers and body); what follows a ``|`` in the
command is run by bash on the answer, as in a terminal. The block after the command must be the answer:
JSON compared number by number, anything else as text whose numbers agree to a stated tolerance
(:mod:`texts`): BLAS kernels differ in the last bit. A gradient check's central differences are rounding
noise, compared to 1e-6 (:data:`texts.CHECK_NOISE`). An answer other than 200 must be a problem that
documents its status (``"status": 422``). What the docs say about the example files (case 1's w, x and y,
XOR's η and steps) is read from the files.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from texts import CHECK_NOISE, same_json, same_text

from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")


def sessions(text: str) -> list[tuple[str, str, str]]:
    """(command, language, answer) for every ``bash`` block holding a curl command and the block after it."""
    blocks = re.findall(r"^(`{3,4})(\w+)\n(.*?)^\1$", text, flags=re.MULTILINE | re.DOTALL)
    found = []
    for (_, language, body), (_, answer_language, answer) in itertools.pairwise(blocks):
        if language == "bash" and body.startswith("curl "):
            found.append((body.strip(), answer_language, answer))
    return found


SESSIONS = sessions(PAGE)


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
    paths = [re.search(r"/v1/[\w/-]+", command).group() for command, _, _ in SESSIONS]  # type: ignore[union-attr]
    assert paths == [
        "/v1/gradients/check",
        "/v1/gradients/verify",
        "/v1/derivation",
        "/v1/derivation",
        "/v1/train",
        "/v1/gradients/hessian-vector",
        "/v1/gradients",
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("command", "language", "answer"), SESSIONS, ids=[f"session-{i}" for i in range(len(SESSIONS))]
)
async def test_the_page_shows_the_real_answer(command: str, language: str, answer: str) -> None:
    status, output = await run(command)
    if status != 200:
        assert language == "json", output
        assert json.loads(answer)["status"] == status, output  # the page shows the status it documents
    if language == "json":
        noise = CHECK_NOISE if "/v1/gradients/check " in command else frozenset()
        same_json(json.loads(output), json.loads(answer), noise=noise)
    else:
        same_text(output, answer)


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
    return body


def scalars(body: dict[str, Any]) -> tuple[float, float, float]:
    """(w, x, y) of a one-weight request, whatever nesting it is written in."""
    (layer,) = body["network"]["layers"]
    w = layer["weights"] if isinstance(layer, dict) else layer
    return tuple(float(np.asarray(value, dtype=float).reshape(())) for value in (w, body["inputs"], body["targets"]))


NUMBER = r"(−?[\d.]+)"
STATED_CASE = re.compile(rf"[Cc]ase (\d)[^.()]*\(w = {NUMBER}, x = {NUMBER}, y = {NUMBER}[):]")


@pytest.mark.parametrize("page", ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))])
def test_every_stated_w_x_y_is_the_example_files(page: str) -> None:
    for case, *stated in STATED_CASE.findall((ROOT / page).read_text(encoding="utf-8")):
        assert tuple(float(v.replace("−", "-")) for v in stated) == scalars(example(f"seed_case_{case}.json"))


def test_the_page_states_case_1_and_its_inline_requests_are_case_1() -> None:
    assert STATED_CASE.search(PAGE), "the page no longer says what case 1 is"
    inline = [command for command, _, _ in SESSIONS if " -d '{" in command]
    assert len(inline) == 2  # the derivation and the training of case 1
    case_1 = scalars(example("seed_case_1.json"))
    for command in inline:
        assert scalars(json.loads(shlex.split(command.partition(" | ")[0])[-1])) == case_1


def test_what_the_page_says_of_xor_is_the_file() -> None:
    xor = example("xor_training.json")
    stated = re.search(r"xor_training\.json.*?With η = ([\d.]+) and (\d+)\s+steps", PAGE, flags=re.DOTALL)
    assert stated is not None
    assert (float(stated[1]), int(stated[2])) == (xor["learning_rate"], xor["steps"])
    assert xor["inputs"] == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert xor["targets"] == [0.0, 1.0, 1.0, 0.0]  # XOR, as the page says
