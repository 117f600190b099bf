"""The README stays true: its example answer is the service's answer, its test command is what CI runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from texts import same_json

from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_opens_with_the_two_commands() -> None:
    commands = [block.strip() for block in _blocks("bash")[:2]]
    assert commands[0].endswith("python -m service")
    assert commands[1].endswith("pytest")
    assert all(command.startswith("python3 -m pip install uv && ") for command in commands)


def test_readme_is_a_front_page() -> None:
    assert len(README.splitlines()) <= 200


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))])
def test_every_relative_link_of_the_docs_exists(page: str) -> None:
    path = ROOT / page
    targets = [t for t in LINK.findall(path.read_text(encoding="utf-8")) if "://" not in t]
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert not missing


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _blocks("bash")[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.anyio
async def test_readme_example_is_the_real_answer() -> None:
    request_block, answer_block = _blocks("json")[:2]
    request = json.loads(request_block)
    assert request == json.loads((ROOT / "examples" / "seed_case_5.json").read_text(encoding="utf-8"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://test") as client:
        response = await client.post("/v1/gradients", json=request)
    assert response.status_code == 200
    same_json(response.json(), json.loads(answer_block))


def test_the_docs_name_every_setting() -> None:
    from service.domain.settings import Settings

    text = "".join(page.read_text(encoding="utf-8") for page in (ROOT / "docs").glob("*.md"))
    missing = [name for name in Settings.model_fields if f"GRADSERVICE_{name.upper()}" not in text]
    assert not missing


def test_the_readme_command_that_changes_the_port_runs_as_written() -> None:
    (command,) = re.findall(r"`(python3 -m uv run [^`]*--port \d+)`", README)
    arguments = command.split()
    assert arguments[:7] == ["python3", "-m", "uv", "run", "--locked", "--no-dev", "python"]
    from service.__main__ import build_parser

    options = build_parser().parse_args(arguments[9:])  # what follows `python -m service`
    assert (options.host, options.port) == ("0.0.0.0", 9000)
