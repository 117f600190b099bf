"""docs/client-and-cli.md and the README show real output: the Python example and every ``gradserve`` console block run.

Text is compared exactly, numbers to a relative tolerance: the last printed digit of a computed
value may differ between BLAS kernels, so no computed float is compared as text.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import textwrap
from pathlib import Path

import pytest

from service import cli

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "client-and-cli.md").read_text(encoding="utf-8")
PAGES = {"docs": PAGE, "README": (ROOT / "README.md").read_text(encoding="utf-8")}
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
CONSOLE = re.compile(r"^( *)```console\n(.*?)^\1```", flags=re.DOTALL | re.MULTILINE)


def assert_same_text(actual: str, expected: str) -> None:
    """Equal text around the numbers, and numbers equal to 1e-5 relative (printed to 6 digits)."""
    actual_parts, expected_parts = NUMBER.split(actual), NUMBER.split(expected)
    assert actual_parts == expected_parts, f"the text differs:\n{actual}\n---\n{expected}"
    for got, want in zip(NUMBER.findall(actual), NUMBER.findall(expected), strict=True):
        assert float(got) == pytest.approx(float(want), rel=1e-5, abs=1e-12), f"{got} is not {want}"


def consoles(page: str = PAGE) -> list[str]:
    return [textwrap.dedent(block) for _, block in CONSOLE.findall(page)]


BLOCKS = [(name, block) for name, page in PAGES.items() for block in consoles(page)]


def test_the_page_has_the_three_examples_the_issue_asks_for() -> None:
    commands = [block.splitlines()[0] for block in consoles()]
    assert any(command.startswith("$ gradserve derivation") for command in commands)
    assert any(command.startswith("$ gradserve train examples/xor_training.json") for command in commands)
    assert any(command.startswith("$ gradserve verify") and "exit status" in command for command in commands)


@pytest.mark.parametrize(("page", "block"), BLOCKS, ids=[f"{n}: {b.splitlines()[0][2:60]}" for n, b in BLOCKS])
def test_every_console_block_is_the_real_output(
    page: str, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command, *expected = block.rstrip("\n").splitlines()
    command, _, status_echo = command.removeprefix("$ ").partition("; echo")
    argv = shlex.split(command)
    assert argv[0] == "gradserve"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    status = cli.main(argv[1:])
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).rstrip("\n").splitlines()
    if status_echo:
        lines.append(f"exit status {status}")
    else:
        assert status == 0
    if expected[:1] == ["..."]:  # the block shows the end of the output only
        expected = expected[1:]
        lines = lines[-len(expected) :]
    elif expected[-1:] == ["..."]:  # the block shows the beginning of the output only
        expected = expected[:-1]
        lines = lines[: len(expected)]
    assert_same_text("\n".join(lines), "\n".join(expected))


def test_the_python_example_prints_what_the_page_shows(gradserve_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    [code] = re.findall(r"```python\n(.*?)```", PAGE, flags=re.DOTALL)
    [printed] = re.findall(r"```python\n.*?```\n\n```text\n(.*?)```", PAGE, flags=re.DOTALL)
    assert '"http://127.0.0.1:8000"' in code
    monkeypatch.chdir(ROOT)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(code.replace('"http://127.0.0.1:8000"', repr(gradserve_url)), {})
    assert_same_text(output.getvalue(), printed)
