"""docs/grading.md stays true: every curl command, the ``gradserve assign`` session and the Python example give
the answers shown.

Each ``curl`` goes to the app in-process (same path, headers and body); JSON answers are compared number by
number and text answers with their numbers to a tolerance (:mod:`texts`), as BLAS kernels differ in the last bit.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import shlex
from pathlib import Path

import httpx
import pytest
from texts import same_json, same_text

from service import cli
from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^(`{3,4})(\w+)\n(.*?)^\1$", PAGE, flags=re.MULTILINE | re.DOTALL)
PAIRS = [(body.strip(), language, answer) for (_, _, body), (_, language, answer) in itertools.pairwise(BLOCKS)]
CURLS = [(command, language, answer) for command, language, answer in PAIRS if command.startswith("curl ")]


def test_the_page_has_its_sessions() -> None:
    assert len(CURLS) == 3
    assert [language for _, language, _ in CURLS] == ["json", "markdown", "json"]


@pytest.mark.anyio
@pytest.mark.parametrize(("command", "language", "answer"), CURLS, ids=[f"curl-{i}" for i in range(len(CURLS))])
async def test_every_curl_gives_the_answer_shown(command: str, language: str, answer: str) -> None:
    words = shlex.split(command)
    url = next(word for word in words if word.startswith("http://127.0.0.1:8000/"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    content = words[words.index("-d") + 1].encode()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="http://127.0.0.1:8000"
    ) as client:
        response = await client.post(url.removeprefix("http://127.0.0.1:8000"), content=content, headers=headers)
    if language == "json":
        shown = json.loads(answer)
        assert response.status_code == shown.get("status", 200)
        same_json(response.json(), shown)
    else:
        assert response.status_code == 200
        same_text(response.text, answer)


def test_the_gradserve_assign_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [(command, _, shown)] = [pair for pair in PAIRS if pair[0].startswith("gradserve assign ")]
    words = shlex.split(command)[1:]
    words[1] = str(ROOT / words[1])  # the template, from the repository; the folder, in a fresh directory
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        assert cli.main(words) == cli.EXIT_OK
    assert output.getvalue() == shown
    assert (tmp_path / "week-3" / "key.json").exists()


def test_the_python_example(monkeypatch: pytest.MonkeyPatch) -> None:
    [(code, _, shown)] = [pair for pair in PAIRS if pair[0].startswith("from gradclient import GradientClient")]
    in_process = code.replace('GradientClient("http://127.0.0.1:8000")', "GradientClient(URL, transport=TRANSPORT)")
    assert in_process != code
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(in_process, {"URL": "http://127.0.0.1:8000", "TRANSPORT": httpx.ASGITransport(app=create_app())})
    same_text(output.getvalue(), shown)
