"""The Markdown derivation's substituted equations hold: parse its numbers and recompute them with numpy."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import numpy as np
import pytest

pytestmark = pytest.mark.anyio

SEED: dict[str, Any] = {
    "network": {"layers": [{"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]}, {"weights": [[0.7], [-0.3]]}]},
    "inputs": [[1.0, 0.5, -1.5], [0.2, -0.7, 0.9]],
    "targets": [[1.0], [0.0]],
}
TOLERANCE = {"rtol": 3e-5, "atol": 1e-9}  # numbers written to 6 significant digits


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def blocks(text: str) -> list[dict[str, Any]]:
    """Each ```text block as {symbol: value}, the result under "=" (the lines "name = [..]")."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.DOTALL):
        values: dict[str, Any] = {}
        for line in block.splitlines():
            line = line.strip().removeprefix("where ")
            if line.startswith("= "):
                values["="] = np.array(json.loads(line[2:]))
            elif " = " in line and not line.startswith(("loss:",)):
                name, _, value = line.partition(" = ")
                try:
                    values[name] = np.array(json.loads(value))
                except json.JSONDecodeError:
                    values["equation"] = line
        found.append(values)
    return found


async def test_the_substituted_equations_hold(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/derivation", json=SEED, headers={"Accept": "text/markdown"})
    assert response.status_code == 200
    given, *steps = blocks(response.text)
    np.testing.assert_array_equal(given["X"], SEED["inputs"])
    np.testing.assert_array_equal(given["W_1"], SEED["network"]["layers"][0]["weights"])
    np.testing.assert_array_equal(given["y"], SEED["targets"])
    assert "loss: L = Σ ½ (y − ŷ)²" in response.text
    close = 0
    for step in steps:
        result = step["="]
        if "X" in step and "W_1" in step:
            expected = step["X"] @ step["W_1"]
        elif "l_1" in step and "W_2" in step:
            expected = step["l_1"] @ step["W_2"]
        elif set(step) >= {"z_1"} or set(step) >= {"z_2"}:
            expected = sig(step.get("z_1", step.get("z_2")))
        elif "ŷ" in step and "y" in step and "Δ_2" not in step and result.ndim == 0:
            expected = 0.5 * np.sum((step["y"] - step["ŷ"]) ** 2)
        elif "ŷ" in step and "y" in step:
            expected = (step["ŷ"] - step["y"]) * step["ŷ"] * (1 - step["ŷ"])
        elif "l_1ᵀ" in step:
            expected = step["l_1ᵀ"] @ step["Δ_2"]
        elif "Xᵀ" in step:
            expected = step["Xᵀ"] @ step["Δ_1"]
        elif "W_2ᵀ" in step:
            expected = (step["Δ_2"] @ step["W_2ᵀ"]) * step["l_1"] * (1 - step["l_1"])
        else:
            raise AssertionError(f"an equation the test does not know: {step}")
        np.testing.assert_allclose(result, expected, **TOLERANCE)
        close += 1
    assert close == 9  # z_1, l_1, z_2, ŷ, L, Δ_2, ∂L/∂W_2, Δ_1, ∂L/∂W_1: each equation once


async def test_numbers_are_written_to_6_digits_and_json_keeps_float64(client: httpx.AsyncClient) -> None:
    markdown = (await client.post("/v1/derivation", json=SEED, headers={"Accept": "text/markdown"})).text
    assert "0.740775" in markdown
    assert "0.7407748" not in markdown
    steps = (await client.post("/v1/derivation", json=SEED)).json()["steps"]
    assert steps[1]["value"][0][0] == pytest.approx(0.7407748991821539, rel=1e-15)
