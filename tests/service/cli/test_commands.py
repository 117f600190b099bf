"""gradserve's newer commands and rules: derivation, train, ∂L/∂X, the exit statuses of verify and check,
no Python None in the output, --url without a scheme, and a --help that imports no heavy package."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from service import cli
from service.cli import commands

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return body


def rows_after(output: str, heading: str, count: int) -> np.ndarray:
    """The ``count`` rows of numbers printed after the line ``heading``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    return np.array([[float(cell) for cell in line.split()] for line in lines[start + 1 : start + 1 + count]])


def rows_after_description(output: str, title: str, count: int) -> np.ndarray:
    """The ``count`` rows of numbers after a step's title, its description and its shapes."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title)) + 3
    return np.array([[float(cell) for cell in line.split()] for line in lines[start : start + count]])


def test_derivation_prints_every_step_with_its_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["derivation", str(EXAMPLES / "seed_case_5.json")], capsys)
    assert (status, err) == (0, "")
    assert [line for line in out.splitlines() if line.endswith("pass") or line == "Loss"] == [
        "Forward pass",
        "Loss",
        "Backward pass",
    ]
    assert "   shapes  (3 × 1) · (1 × 2) = 3 × 2" in out
    full = json.loads(run(["gradients", str(EXAMPLES / "seed_case_5.json"), "--json"], capsys)[1])
    dW1 = rows_after_description(out, "9. ∂L/∂W_1 = Xᵀ · Δ_1", 3)  # after the description and the shapes lines
    np.testing.assert_allclose(dW1, full["layers"][0]["weights_gradient"], rtol=1e-5)
    loss = re.search(r"^   L = (\S+)$", out, flags=re.MULTILINE)
    assert loss
    assert float(loss[1]) == pytest.approx(full["loss"], rel=1e-5)


def test_derivation_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["derivation", str(EXAMPLES / "seed_case_5.json"), "--markdown"], capsys)
    assert status == 0
    assert out.startswith("# ")
    assert "## Backward pass" in out
    assert "where l_1ᵀ = " in out  # the numbers substituted beside the symbols


def test_train_the_xor_example_and_save_the_trained_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "trained.json"
    status, out, err = run(["train", str(EXAMPLES / "xor_training.json"), "--save", str(saved)], capsys)
    assert status == 0
    header, bars, legend = out.splitlines()[:3]
    match = re.fullmatch(r"loss_history  \(501\)  (\S+) → (\S+) after 500 steps", header)
    assert match
    assert float(match[1]) == pytest.approx(0.5025, rel=1e-3)
    assert float(match[2]) < 0.01
    assert len(bars.strip()) == 60
    assert set(bars.strip()) <= set("▁▂▃▄▅▆▇█")
    assert bars.strip()[0] == "█"
    assert bars.strip()[-1] == "▁"
    assert "linear" in legend
    assert f"the trained network is in {saved}" in err
    trained = json.loads(saved.read_text(encoding="utf-8"))
    assert list(trained) == ["network", "inputs", "targets", "loss"]  # a gradients request, for any command
    assert trained["inputs"] == example("xor_training.json")["inputs"]
    status, out, _ = run(["loss", str(saved), "--json"], capsys)
    assert status == 0
    assert json.loads(out)["loss"] == pytest.approx(float(match[2]), rel=1e-5)
    np.testing.assert_allclose(np.round(json.loads(out)["output"]), [[0], [1], [1], [0]])


def test_gradients_with_the_input_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["gradients", str(EXAMPLES / "seed_case_5.json"), "--input-gradient"], capsys)
    assert status == 0
    body = example("seed_case_5.json")
    x, W1, W2 = (
        np.array(body["inputs"], ndmin=2),
        *(np.array(layer["weights"]) for layer in body["network"]["layers"]),
    )
    l1 = 1 / (1 + np.exp(-x @ W1))
    y_hat = 1 / (1 + np.exp(-l1 @ W2))
    delta1 = (((y_hat - 1.0) * y_hat * (1 - y_hat)) @ W2.T) * l1 * (1 - l1)
    np.testing.assert_allclose(rows_after(out, "input_gradient ∂L/∂X  (1 × 3)", 1), delta1 @ W1.T, rtol=1e-5)
    assert "weights_gradient ∂L/∂W_2" in out  # the default fields too
    status, out, _ = run(["gradients", str(EXAMPLES / "seed_case_5.json"), "--input-gradient", "--json"], capsys)
    np.testing.assert_allclose(json.loads(out)["input_gradient"], delta1 @ W1.T, rtol=1e-12)


def test_a_wrong_claim_exits_4_and_prints_no_none(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["verify", str(EXAMPLES / "verify_wrong_sign.json")], capsys)
    assert status == 4
    assert "all_correct  no" in out
    assert "None" not in out
    assert err == "gradserve: a claimed gradient is wrong: layer 1 sign_flipped, layer 2 sign_flipped (exit status 4)\n"
    assert run(["verify", str(EXAMPLES / "verify_wrong_sign.json"), "--json"], capsys)[0] == 4


def test_a_right_claim_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gradients = json.loads(run(["gradients", str(EXAMPLES / "seed_case_5.json"), "--json"], capsys)[1])
    body = {
        **example("seed_case_5.json"),
        "claimed_gradients": [layer["weights_gradient"] for layer in gradients["layers"]],
    }
    path = tmp_path / "right.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    status, out, err = run(["verify", str(path)], capsys)
    assert (status, err) == (0, "")
    assert "all_correct  yes" in out
    assert "None" not in out


def test_a_check_that_passes_exits_0_without_none(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["check", str(EXAMPLES / "seed_case_5.json")], capsys)
    assert (status, err) == (0, "")
    assert "None" not in out
    assert "note" not in out  # null: left out


def test_a_failing_layer_exits_4(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    layers = [{"rating": "problem", "passed": False, "worst_index": None}, {"rating": "fine", "passed": True}]

    async def failing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"passed": False, "note": None, "layers": layers}

    monkeypatch.setattr(commands, "post", failing)
    status, out, err = run(["check", str(EXAMPLES / "seed_case_5.json")], capsys)
    assert status == 4
    assert err == "gradserve: check failed: layer 1 (problem) (exit status 4)\n"
    assert "None" not in out


def test_url_without_a_scheme_means_http(gradserve_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    bare = gradserve_url.removeprefix("http://")
    status, out, err = run(["loss", str(EXAMPLES / "seed_case_5.json"), "--url", bare, "--json"], capsys)
    assert (status, err) == (0, "")
    assert json.loads(out)["loss"] == pytest.approx(0.08105458279800112, rel=1e-12)
    assert cli.url("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert cli.url("https://example.org/") == "https://example.org"


def test_help_and_the_parser_import_no_heavy_package() -> None:
    """What makes `gradserve --help` fast (bench/startup.py times it): only the standard library is imported."""
    code = (
        "import sys, contextlib, io\n"
        "from service import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])\n"
        "heavy = ('numpy', 'httpx', 'pydantic', 'fastapi', 'uvicorn', 'gradclient', 'gradcore', 'service.app')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_every_command_is_documented_with_the_exit_statuses() -> None:
    text = cli.build_parser().format_help()
    for name in [*cli.COMMANDS, "serve"]:
        assert name in text
    for status in ("0", "1", "2", "3", "4"):
        assert re.search(rf"^  {status}  ", text, flags=re.MULTILINE)
