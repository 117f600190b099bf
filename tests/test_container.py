"""The container files agree with each other and with ``python -m service``.

No container engine runs on the build machines, so this checks what can be
checked without one: the compose file parses, and the Dockerfile and compose
file name the same command, port and healthcheck.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["python", "-m", "service", "--host", "0.0.0.0", "--port", "8000"]


def _dockerfile() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword.upper(), "")
            instructions[keyword.upper()] += rest.strip() + "\n"
    return instructions


def test_dockerfile_runs_the_service_as_a_non_root_user_with_a_healthcheck() -> None:
    instructions = _dockerfile()
    assert re.match(r"python:3\.1[1-9]-slim", instructions["FROM"])
    assert json.loads(instructions["CMD"]) == COMMAND
    assert instructions["USER"].strip() not in {"", "root", "0"}
    assert "EXPOSE" in instructions
    assert instructions["EXPOSE"].strip() == "8000"
    assert "/healthz" in instructions["HEALTHCHECK"]
    assert "uv sync --locked" in instructions["RUN"]


def test_compose_file_starts_the_service_on_port_8000_with_the_healthcheck() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["gradservice"]
    assert service["build"] == "."
    assert service["command"] == COMMAND
    assert "8000:8000" in service["ports"]
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert "http://127.0.0.1:8000/healthz" in shlex.join(test)
    docker_healthcheck = _dockerfile()["HEALTHCHECK"]
    assert json.loads(docker_healthcheck.split("CMD", 1)[1]) == test[1:]
