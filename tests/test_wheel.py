"""The wheel installs the gradserve console script, which runs from it alone (not from the checkout).

``uv build --wheel`` builds it into a temporary folder; ``python -m venv`` makes a fresh environment;
the wheel goes in without its dependencies, which come from this project's environment through a
``.pth`` line (plain paths: the checkout's editable install is not activated there). So the test is
quick and offline, and proves that the wheel ships what the script imports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def uv() -> str:
    path = os.environ.get("UV") or shutil.which("uv")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("uv is not on PATH")
        pytest.skip("uv is not on PATH (python3 -m uv run sets $UV)")
    return path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300
    )
    [built] = out.glob("gradservice-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)  # type: ignore[attr-defined]
    python = root / "bin" / "python"
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(python), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return root


def test_the_wheel_declares_the_runtime_dependencies_only(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip() for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]  # fmt: skip
        entry_points = next(name for name in archive.namelist() if name.endswith(".dist-info/entry_points.txt"))
        assert "gradserve = service.cli:main" in archive.read(entry_points).decode()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert sorted(requires) == sorted(dependency.replace(" ; ", "; ") for dependency in project["dependencies"])


def test_the_console_script_runs_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    gradserve = venv / "bin" / "gradserve"
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import service, gradclient; print(service.__file__, gradclient.__file__)",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), where  # the wheel's copy, not the checkout
    helped = subprocess.run([str(gradserve), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0
    assert "derivation" in helped.stdout
    assert "train" in helped.stdout
    request = tmp_path / "seed.json"
    shutil.copy(ROOT / "examples" / "seed_case_5.json", request)
    answer = subprocess.run(
        [str(gradserve), "gradients", str(request), "--json", "--input-gradient"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr
    content = json.loads(answer.stdout)
    assert content["loss"] == pytest.approx(0.08105458279800112, rel=1e-12)
    assert len(content["input_gradient"][0]) == 3
