"""The ``gradserve`` console script: local computation, --url, --json, tables, errors and exit statuses."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from service import __main__ as python_m_service
from service import cli
from service.api.schemas.examples import SEED_TWO_LAYER

GRADSERVE = str(Path(sys.executable).with_name("gradserve"))


def sigmoid(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-u))


def seed_case_5() -> dict[str, Any]:
    """The seed's case 5 by its formulas: l_1 = σ(x · W_1), ŷ = σ(l_1 · W_2), Δ_2, Δ_1, ∂L/∂W_k."""
    x = np.array([SEED_TWO_LAYER["inputs"]])
    W1, W2 = (np.array(layer["weights"]) for layer in SEED_TWO_LAYER["network"]["layers"])
    l1 = sigmoid(x @ W1)
    y_hat = sigmoid(l1 @ W2)
    delta2 = (y_hat - SEED_TWO_LAYER["targets"]) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    return {"loss": float(0.5 * np.sum((SEED_TWO_LAYER["targets"] - y_hat) ** 2)), "output": y_hat, "l1": l1,
            "dW1": x.T @ delta1, "dW2": l1.T @ delta2}  # fmt: skip


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(SEED_TWO_LAYER), encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def table(output: str, title: str) -> np.ndarray:
    """Read back the table printed under ``title  (r × c)``."""
    match = re.search(rf"^\s*{re.escape(title)}  \((\d+) × (\d+)\)$", output, flags=re.MULTILINE)
    assert match, f"no table {title!r} in:\n{output}"
    rows, cols = int(match[1]), int(match[2])
    lines = output[match.end() :].strip("\n").splitlines()[:rows]
    values = np.array([[float(cell) for cell in line.split()] for line in lines])
    assert values.shape == (rows, cols)
    return values


def test_gradients_locally_print_every_matrix_as_a_table(
    request_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["gradients", str(request_file)], capsys)
    assert (status, err) == (0, "")
    expected = seed_case_5()
    assert re.search(rf"^loss  {expected['loss']:.6g}$", out, flags=re.MULTILINE)
    np.testing.assert_allclose(table(out, "output ŷ"), expected["output"], rtol=1e-5)
    np.testing.assert_allclose(table(out, "activation l_1"), expected["l1"], rtol=1e-5)
    np.testing.assert_allclose(table(out, "weights_gradient ∂L/∂W_1"), expected["dW1"], rtol=1e-5)
    np.testing.assert_allclose(table(out, "weights_gradient ∂L/∂W_2"), expected["dW2"], rtol=1e-5)


def test_digits(request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["loss", str(request_file), "--digits", "12"], capsys)
    assert f"loss  {seed_case_5()['loss']:.12g}" in out


def test_json_prints_the_answer_of_the_service(request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["gradients", str(request_file), "--json"], capsys)
    assert status == 0
    answer = json.loads(out)
    expected = seed_case_5()
    assert answer["loss"] == pytest.approx(expected["loss"], rel=1e-12)
    np.testing.assert_allclose(answer["layers"][0]["weights_gradient"], expected["dW1"], rtol=1e-12)
    status, out, _ = run(["forward", str(request_file), "--json"], capsys)
    assert set(json.loads(out)) == {"output", "layers"}


def test_url_gives_the_same_answer_as_local(
    gradserve_url: str, request_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("forward", "loss", "gradients"):
        _, local, _ = run([command, str(request_file), "--json"], capsys)
        status, remote, err = run([command, str(request_file), "--json", "--url", gradserve_url], capsys)
        assert (status, err) == (0, "")
        assert json.loads(remote) == json.loads(local)


def test_a_problem_prints_its_detail_and_pointers_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {**SEED_TWO_LAYER, "inputs": [1.0, 2.0]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    status, out, err = run(["gradients", str(path)], capsys)
    assert (status, out) == (1, "")
    assert err.startswith("gradserve: 422 Unprocessable Entity: The request is invalid:")
    assert "/network/layers/0/weights" in err
    assert "W_1 are 3 × 2 but the inputs have 2 columns" in err
    status, out, err = run(["gradients", str(path), "--json"], capsys)
    assert status == 1
    assert json.loads(out)["errors"][0]["pointer"] == "/network/layers/0/weights"


def test_a_problem_over_a_real_socket(gradserve_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "malformed.json"
    path.write_text('{"network": ', encoding="utf-8")
    status, _, err = run(["loss", str(path), "--url", gradserve_url], capsys)
    assert status == 1
    assert err.startswith("gradserve: 400 Bad Request: The request body is not valid JSON")


def test_every_error_is_listed_when_the_detail_shows_only_three(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {**SEED_TWO_LAYER, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    path = tmp_path / "five.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    _, _, err = run(["forward", str(path)], capsys)
    for name in "abcde":
        assert f"/{name}" in err


def test_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(SEED_TWO_LAYER).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(["loss", "-", "--json"], capsys)
    assert status == 0
    assert json.loads(out)["loss"] == pytest.approx(seed_case_5()["loss"], rel=1e-12)


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["gradients", str(tmp_path / "missing.json")], capsys)
    assert status == 2
    assert "cannot read" in err


def test_an_unreachable_service_exits_3(request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        status, _, err = run(["gradients", str(request_file), "--url", url, "--timeout", "2"], capsys)
    assert status == 3
    assert f"cannot reach {url}" in err


def test_serve_has_the_options_and_defaults_of_python_m_service() -> None:
    serve = vars(cli.serve_arguments([]))
    assert serve == vars(python_m_service.build_parser().parse_args([]))
    options = ["--host", "0.0.0.0", "--port", "9000"]
    serve = vars(cli.serve_arguments(options))
    assert {key: serve[key] for key in ("host", "port")} == {"host": "0.0.0.0", "port": 9000}


def test_the_console_script_is_installed(request_file: Path) -> None:
    result = subprocess.run(
        [GRADSERVE, "gradients", str(request_file), "--json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["loss"] == pytest.approx(seed_case_5()["loss"], rel=1e-12)
