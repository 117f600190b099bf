"""The wheel ships every package, the console script is declared, and the image copies what the wheel needs."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = PROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def test_the_wheel_ships_the_client_the_core_and_the_service() -> None:
    assert {"gradclient", "gradcore", "service"} <= set(PACKAGES)
    assert all((ROOT / package / "__init__.py").is_file() for package in PACKAGES)


def test_the_gradserve_script_points_at_a_function() -> None:
    module, _, function = PROJECT["project"]["scripts"]["gradserve"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_the_dockerfile_copies_every_package() -> None:
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.MULTILINE))
    assert copied == set(PACKAGES)
