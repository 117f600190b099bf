"""The client and command-line page stays true: its code runs and prints what it shows (numbers to a tolerance)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from texts import same_text

from service import cli

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "client-and-cli.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", PAGE, flags=re.DOTALL | re.MULTILINE)
    assert match, f"no section {title!r} in docs/client-and-cli.md"
    return match[1]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_client_example_prints_what_the_readme_shows(gradserve_url: str) -> None:
    text = section("Python client")
    code, printed = blocks(text, "python")[0], blocks(text, "text")[0]
    assert '"http://127.0.0.1:8000"' in code
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(code.replace('"http://127.0.0.1:8000"', repr(gradserve_url)), {})
    same_text(output.getvalue(), printed)


def test_the_command_line_example_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]) -> None:
    tables = blocks(section("Command line"), "text")[0]
    assert cli.main(["gradients", str(ROOT / "examples" / "seed_case_5.json")]) == 0
    same_text(capsys.readouterr().out, tables)


def test_the_command_line_error_is_the_real_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command, message = blocks(section("Command line"), "text")[1].splitlines()
    body = json.loads((ROOT / "examples" / "seed_case_5.json").read_text(encoding="utf-8"))
    body["network"]["layers"][1]["weights"] = [[0.7], [-0.3], [0.1]]  # W_2 3 × 1 after a 2-node layer
    name, file = command.removeprefix("$ gradserve ").split()
    (tmp_path / file).write_text(json.dumps(body), encoding="utf-8")
    assert cli.main([name, str(tmp_path / file)]) == 1
    assert capsys.readouterr().err == message + "\n"
