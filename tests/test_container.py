"""The container files agree with each other and with ``python -m service``; the image's healthcheck works.

scripts/container-check builds and runs the image with podman (CI runs it from .ci/run); this checks what
can be checked without a container engine: the Dockerfile's stages, command, port and healthcheck, the
compose file against it, and deploy/healthcheck.py, the healthcheck itself, against real servers.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from servers import Serve, free_port

from service.domain.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["python", "-m", "service"]
HEALTHCHECK_SCRIPT = ROOT / "deploy" / "healthcheck.py"
HEALTHCHECK = ["python", "/opt/healthcheck.py", "/healthz"]


def _stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            if keyword.upper() == "FROM":
                stages.append([])
            stages[-1].append((keyword.upper(), " ".join(rest.split())))
    return stages


def _all(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [rest for instruction, rest in stage if instruction == keyword]


def _one(stage: list[tuple[str, str]], keyword: str) -> str:
    (rest,) = _all(stage, keyword)
    return rest


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    return dict(pair.split("=", 1) for rest in _all(stage, "ENV") for pair in rest.split())


def _healthcheck_command() -> list[str]:
    command: list[str] = json.loads(_one(_stages()[-1], "HEALTHCHECK").split("CMD", 1)[1])
    return command


def test_the_image_is_built_in_one_stage_and_runs_the_virtual_environment_only() -> None:
    base, build, final = _stages()
    # scripts/container-check swaps this first FROM for a local base (podman build --from): every stage starts
    # from it.
    assert _one(base, "FROM").startswith("python:3.12-slim AS base")
    assert _one(build, "FROM") == "base AS build"
    assert _one(final, "FROM") == "base"
    assert any("uv sync --locked" in run for run in _all(build, "RUN"))
    assert _env(build)["UV_PROJECT_ENVIRONMENT"] == "/opt/venv"
    assert "--no-editable" in _all(build, "RUN")[-1]  # the project itself in the venv, not a link to /app
    # The final stage: the venv and the healthcheck, no uv, no sources.
    assert "COPY --from=build /opt/venv /opt/venv" in [f"COPY {rest}" for rest in _all(final, "COPY")]
    assert all("uv" not in run.split() and "pip" not in run for run in _all(final, "RUN"))
    assert _env(final)["PATH"].startswith("/opt/venv/bin:")


def test_the_image_runs_the_service_as_a_non_root_user_on_its_exposed_port() -> None:
    final = _stages()[-1]
    assert json.loads(_one(final, "CMD")) == COMMAND
    assert _one(final, "USER") not in {"", "root", "0"}
    assert "--uid 10001 " in " ".join(_all(final, "RUN"))
    env = _env(final)
    # The command passes no --host/--port, so that GRADSERVICE_HOST/PORT (service/domain/settings.py) move it.
    assert env["GRADSERVICE_HOST"] == "0.0.0.0"
    assert env["GRADSERVICE_PORT"] == _one(final, "EXPOSE") == "8000"


def test_the_healthcheck_asks_the_port_the_service_listens_on() -> None:
    final = _stages()[-1]
    assert "COPY deploy/healthcheck.py /opt/healthcheck.py" in [f"COPY {rest}" for rest in _all(final, "COPY")]
    assert _healthcheck_command() == HEALTHCHECK
    assert "8000" not in _one(final, "HEALTHCHECK")  # no hard-coded port


def test_compose_file_runs_the_image_command_with_the_image_healthcheck() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["gradservice"]
    assert service["build"] == "."
    assert service.get("command", COMMAND) == COMMAND
    assert "8000:8000" in service["ports"]
    assert service["healthcheck"]["test"] == ["CMD", *_healthcheck_command()]
    replica = compose["services"]["replica"]
    assert replica["healthcheck"]["test"] == ["CMD", *HEALTHCHECK[:-1], "/readyz"]


def test_the_grace_period_outlasts_the_service_shutdown_timeout() -> None:
    """SIGTERM lets requests in flight finish for GRADSERVICE_SHUTDOWN_TIMEOUT: compose must wait longer."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("gradservice", "replica"):
        grace = compose["services"][name]["stop_grace_period"]
        assert grace.endswith("s")
        assert int(grace[:-1]) > get_settings().shutdown_timeout


@pytest.fixture
def healthcheck(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """deploy/healthcheck.py as a module, with no GRADSERVICE_HOST/PORT set and fresh settings."""
    for name in ("GRADSERVICE_HOST", "GRADSERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    spec = importlib.util.spec_from_file_location("healthcheck", HEALTHCHECK_SCRIPT)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("command", "env", "url"),
    [
        (["python", "-m", "service"], {}, "http://127.0.0.1:8000/healthz"),
        (["python", "-m", "service"], {"GRADSERVICE_PORT": "9000"}, "http://127.0.0.1:9000/healthz"),
        (["python", "-m", "service", "--port", "9001"], {"GRADSERVICE_PORT": "9000"}, "http://127.0.0.1:9001/healthz"),
        (["/opt/venv/bin/gradserve", "serve", "--port=9002"], {}, "http://127.0.0.1:9002/healthz"),
        (["python", "-m", "service", "--host", "::", "--port", "9003"], {}, "http://[::1]:9003/healthz"),
        (["python", "-m", "service", "--host", "10.0.0.7"], {}, "http://10.0.0.7:8000/healthz"),
        (
            ["/usr/bin/catatonit", "--", "sh", "-c", "exec x"],
            {"GRADSERVICE_PORT": "9004"},
            "http://127.0.0.1:9004/healthz",
        ),
        ([], {"GRADSERVICE_HOST": "0.0.0.0"}, "http://127.0.0.1:8000/healthz"),
    ],
)
def test_the_healthcheck_reads_the_port_as_the_service_does(
    healthcheck: ModuleType, monkeypatch: pytest.MonkeyPatch, command: list[str], env: dict[str, str], url: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert healthcheck.url(command, "/healthz") == url


def _run_healthcheck(port: int, path: str) -> subprocess.CompletedProcess[str]:
    """deploy/healthcheck.py as the container runs it, the port in GRADSERVICE_PORT (PID 1 here is no service)."""
    env = {"PATH": "/usr/bin:/bin", "GRADSERVICE_PORT": str(port)}
    command = [sys.executable, str(HEALTHCHECK_SCRIPT), path]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=False)


def test_the_healthcheck_passes_on_a_running_service_and_fails_where_none_listens(serve: Serve) -> None:
    with serve() as server:
        for path in ("/healthz", "/readyz"):
            result = _run_healthcheck(server.port, path)
            assert result.returncode == 0, result.stderr
            assert result.stdout == f"healthcheck: http://127.0.0.1:{server.port}{path}: 200\n"
    result = _run_healthcheck(free_port(), "/healthz")
    assert result.returncode == 1
    assert "Connection refused" in result.stderr
