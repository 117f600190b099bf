"""Answers as text: each matrix under its name, symbol and shape, in right-aligned columns."""

from __future__ import annotations

from service.cli.tables import render


def test_a_matrix_is_titled_with_its_shape_and_aligned() -> None:
    text = render({"layers": [{"weights_gradient": [[-0.5, 10.0, 2.0], [123.25, -1.0, 0.0]]}]})
    assert text.splitlines() == [
        "layer 1",
        "  weights_gradient ∂L/∂W_1  (2 × 3)",
        "      -0.5  10  2",
        "    123.25  -1  0",
    ]


def test_layers_are_numbered_from_one_with_the_seed_symbols() -> None:
    layer = {"pre_activation": [[1.0]], "delta": [[0.25]], "bias_gradient": [0.25, 0.5]}
    assert render({"output": [[0.5]], "layers": [layer, layer]}).splitlines() == [
        "output ŷ  (1 × 1)",
        "  0.5",
        "",
        "layer 1",
        "  pre_activation z_1  (1 × 1)",
        "    1",
        "  delta Δ_1  (1 × 1)",
        "    0.25",
        "  bias_gradient ∂L/∂b_1  (2)",
        "    0.25  0.5",
        "",
        "layer 2",
        "  pre_activation z_2  (1 × 1)",
        "    1",
        "  delta Δ_2  (1 × 1)",
        "    0.25",
        "  bias_gradient ∂L/∂b_2  (2)",
        "    0.25  0.5",
    ]


def test_digits_and_scalars() -> None:
    text = render({"loss": 0.123456789, "passed": True, "verdict": "sign_flipped", "factor": None}, digits=3)
    assert text.splitlines() == ["loss  0.123", "passed  yes", "verdict  sign_flipped"]  # no "factor  None"


def test_no_python_none_in_any_answer() -> None:
    """A null field (a check's note, a verdict's worst_index) is left out, at every level."""
    answer = {"note": None, "kinks": 0, "layers": [{"worst_index": None, "factor": -1.0}, {"bias": None}]}
    text = render(answer)
    assert "None" not in text
    assert text.splitlines() == ["kinks  0", "", "layer 1", "  factor  -1", "", "layer 2"]


def test_a_request_format_network_in_an_answer() -> None:
    text = render({"network": {"layers": [{"weights": [[1.0], [2.0]], "activation": "tanh"}]}})
    assert text.splitlines() == [
        "network",
        "  layer 1",
        "    weights W_1  (2 × 1)",
        "      1",
        "      2",
        "    activation  tanh",
    ]
