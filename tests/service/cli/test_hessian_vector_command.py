"""``gradserve hessian-vector``: ∇²L · v as tables, against central differences of case 5's gradient formulas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from service import cli

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EPS = 1e-5


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-u))


def case_5_gradient(x: np.ndarray, W1: np.ndarray, W2: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    """The seed's formulas: Δ_2 = (ŷ − y) ŷ (1 − ŷ), Δ_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1), ∂L/∂W_k = l_{k−1}ᵀ · Δ_k."""
    l1 = sigmoid(x @ W1)
    y_hat = sigmoid(l1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    return x.T @ delta1, l1.T @ delta2


def rows_after(output: str, heading: str, count: int) -> np.ndarray:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    return np.array([[float(cell) for cell in line.split()] for line in lines[start + 1 : start + 1 + count]])


def test_the_tables_show_the_products_and_the_newton_step(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "hessian_vector.json"
    assert cli.main(["hessian-vector", str(path), "--digits", "12"]) == 0
    out = capsys.readouterr().out
    body = json.loads(path.read_text(encoding="utf-8"))
    x = np.array(body["inputs"], ndmin=2)
    W1, W2 = (np.array(layer["weights"]) for layer in body["network"]["layers"])
    V1, V2 = (np.array(part["weights"]) for part in body["vector"])
    up = case_5_gradient(x, W1 + EPS * V1, W2 + EPS * V2, 1.0)
    down = case_5_gradient(x, W1 - EPS * V1, W2 - EPS * V2, 1.0)
    H1, H2 = ((a - b) / (2 * EPS) for a, b in zip(up, down, strict=True))
    np.testing.assert_allclose(rows_after(out, "hessian_vector_weights (∇²L·v) for W_1  (3 × 2)", 3), H1, rtol=1e-6)
    np.testing.assert_allclose(rows_after(out, "hessian_vector_weights (∇²L·v) for W_2  (2 × 1)", 2), H2, rtol=1e-6)
    curvature = (H1 * V1).sum() + (H2 * V2).sum()
    slope = sum((g * v).sum() for g, v in zip(case_5_gradient(x, W1, W2, 1.0), (V1, V2), strict=True))
    step = float(next(line for line in out.splitlines() if line.startswith("newton_step")).split()[1])
    assert step == pytest.approx(-slope / curvature, rel=1e-6)


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["hessian-vector", str(EXAMPLES / "hessian_vector.json"), "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"loss", "output", "slope", "curvature", "layers"}
