"""The step-by-step derivation: its values, its shapes, and the truth of the equations it writes."""

from __future__ import annotations

import itertools
from string import Template

import numpy as np
import pytest

import gradcore
from gradcore import Layer, backward, forward
from gradcore.core.types import describe
from gradcore.teaching.derivation import Step, derive
from gradcore.teaching.notation import ACTIVATION_TEXT, LOSS_TEXT, activation_text, loss_text

ACTIVATION_NAMES = sorted(gradcore.ACTIVATIONS)
LOSS_NAMES = sorted(gradcore.LOSSES)


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def network(
    seed: int, depth: int, activation: str, loss_name: str, bias: bool
) -> tuple[list[Layer], np.ndarray, np.ndarray]:
    """Random layers (widths 1–4, batch 1–3) whose last activation fits the loss."""
    rng = np.random.default_rng(seed)
    widths = rng.integers(1, 5, size=depth + 1)
    m = int(rng.integers(1, 4))
    last = gradcore.LOSSES[loss_name].requires or activation
    if last == "softmax":
        widths[-1] = max(widths[-1], 2)  # softmax over one output is constant
    layers = []
    for k in range(depth):
        hidden = "tanh" if activation == "softmax" else activation  # softmax is for the last layer only
        layers.append(
            Layer(
                W=rng.normal(size=(widths[k], widths[k + 1])),
                activation=last if k == depth - 1 else hidden,
                b=rng.normal(size=widths[k + 1]) if bias else None,
            )
        )
    X = rng.normal(size=(m, widths[0]))
    Y = rng.uniform(size=(m, widths[-1]))
    if loss_name == "cross_entropy":
        Y /= Y.sum(axis=1, keepdims=True)  # probabilities
    return layers, X, Y


def expected_kinds(layers: list[Layer]) -> list[tuple[str, int | None]]:
    """z_1, l_1, …, z_L, l_L, L, then Δ_k, ∂L/∂W_k (, ∂L/∂b_k) for k = L … 1."""
    kinds: list[tuple[str, int | None]] = []
    for k in range(1, len(layers) + 1):
        kinds += [("pre_activation", k), ("activation", k)]
    kinds.append(("loss", None))
    for k in range(len(layers), 0, -1):
        kinds += [("delta", k), ("weights_gradient", k)]
        if layers[k - 1].b is not None:
            kinds.append(("bias_gradient", k))
    return kinds


CASES = list(itertools.product([0, 1], [1, 2, 3], ACTIVATION_NAMES, LOSS_NAMES, [False, True]))


@pytest.mark.parametrize(("seed", "depth", "activation", "loss_name", "bias"), CASES)
def test_values_are_those_of_backward_in_order(
    seed: int, depth: int, activation: str, loss_name: str, bias: bool
) -> None:
    layers, X, Y = network(seed, depth, activation, loss_name, bias)
    steps = derive(layers, X, Y, loss_name)
    assert [(step.kind, step.layer) for step in steps] == expected_kinds(layers)
    cache = forward(layers, X)
    grads = backward(layers, cache, Y, loss_name)
    expected = {
        "pre_activation": cache.Z,
        "activation": cache.A,
        "delta": grads.delta,
        "weights_gradient": grads.dW,
        "bias_gradient": grads.db,
    }
    for step in steps:
        if step.kind == "loss":
            assert step.value == grads.loss
            continue
        assert step.layer is not None
        value = expected[step.kind][step.layer - 1]
        assert value is not None
        np.testing.assert_array_equal(step.value, value)


@pytest.mark.parametrize(("seed", "depth", "activation", "loss_name", "bias"), CASES)
def test_every_dimension_check_holds(seed: int, depth: int, activation: str, loss_name: str, bias: bool) -> None:
    layers, X, Y = network(seed, depth, activation, loss_name, bias)
    for step in derive(layers, X, Y, loss_name):
        assert np.shape(step.value) == step.shape, step
        assert step.check.endswith(describe(step.shape)), step
        for operand in step.operands:
            assert describe(operand.shape) in step.check, (operand, step.check)
        shapes = [operand.shape for operand in step.operands]
        if step.kind in ("pre_activation", "weights_gradient") or (step.kind == "delta" and step.layer != depth):
            (rows, inner), (inner_too, cols) = shapes[:2]
            assert inner == inner_too, step.check
            assert (rows, cols) == step.shape
            assert f"({rows} × {inner}) · ({inner} × {cols})" in step.check
        if step.kind == "weights_gradient":
            assert step.layer is not None
            assert step.shape == layers[step.layer - 1].W.shape
        if step.kind == "bias_gradient":
            assert step.shape == (shapes[0][1],)


def test_the_seed_case_5_derivation_reads_like_the_seed() -> None:
    """3 inputs → 2 hidden sigmoid nodes → 1 sigmoid output, one example, L = Σ ½ (y − ŷ)²."""
    W1 = np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]])
    W2 = np.array([[0.7], [-0.3]])
    x, y = np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])
    steps = derive([Layer(W1), Layer(W2)], x, y)
    by_symbol = {step.symbol: step for step in steps}
    assert [step.equation for step in steps] == [
        "z_1 = X · W_1",
        "l_1 = σ(z_1)",
        "z_2 = l_1 · W_2",
        "ŷ = l_2 = σ(z_2)",
        "L = Σ ½ (y − ŷ)²",
        "Δ_2 = ∂L/∂z_2 = (ŷ − y) * ŷ * (1 − ŷ)",
        "∂L/∂W_2 = l_1ᵀ · Δ_2",
        "Δ_1 = ∂L/∂z_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1)",
        "∂L/∂W_1 = Xᵀ · Δ_1",
    ]
    assert by_symbol["∂L/∂W_1"].check == "(3 × 1) · (1 × 2) = 3 × 2"
    assert by_symbol["Δ_1"].check == "((1 × 1) · (1 × 2)) * (1 × 2) = 1 × 2"
    assert by_symbol["∂L/∂W_2"].latex == r"\frac{\partial L}{\partial W_{2}} = l_{1}^{\top} \cdot \Delta_{2}"
    # The values, from the seed's closed forms.
    l1 = sig(x @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
    np.testing.assert_allclose(by_symbol["ŷ"].value, y_hat, rtol=1e-12)
    np.testing.assert_allclose(by_symbol["L"].value, 0.5 * np.sum((y - y_hat) ** 2), rtol=1e-12)
    np.testing.assert_allclose(by_symbol["Δ_2"].value, delta2, rtol=1e-12)
    np.testing.assert_allclose(by_symbol["∂L/∂W_2"].value, l1.T @ delta2, rtol=1e-12)
    np.testing.assert_allclose(by_symbol["Δ_1"].value, delta1, rtol=1e-12)
    np.testing.assert_allclose(by_symbol["∂L/∂W_1"].value, x.T @ delta1, rtol=1e-12)


def test_a_batch_says_the_product_sums_the_examples_and_a_bias_is_summed_over_rows() -> None:
    layers = [Layer(np.array([[0.5], [-0.5]]), activation="tanh", b=np.array([0.1]))]
    X = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])
    steps = derive(layers, X, np.array([[0.0], [1.0], [0.5]]))
    weights, bias = steps[-2], steps[-1]
    assert "sums the 3 per-example gradients" in weights.description
    assert weights.equation == "∂L/∂W_1 = Xᵀ · Δ_1"
    assert bias.equation == "∂L/∂b_1 = Σ_rows Δ_1"
    assert bias.check == "the sum of the 3 rows of (3 × 1) = 1"
    assert steps[0].equation == "z_1 = X · W_1 + b_1"
    assert steps[0].check == "(3 × 2) · (2 × 1) + (1) on every row = 3 × 1"
    assert steps[3].equation == "Δ_1 = ∂L/∂z_1 = (ŷ − y) * (1 − ŷ²)"


def test_a_linear_hidden_layer_has_no_derivative_factor() -> None:
    layers = [Layer(np.array([[0.5, 1.0]]), activation="linear"), Layer(np.array([[1.0], [2.0]]), activation="relu")]
    steps = derive(layers, np.array([[1.0]]), np.array([[0.0]]), "mean_squared_error")
    equations = {step.symbol: step.equation for step in steps}
    assert equations["l_1"] == "l_1 = z_1"
    assert equations["Δ_2"] == "Δ_2 = ∂L/∂z_2 = (2 / (m·n_L)) (ŷ − y) * [z_2 > 0]"
    assert equations["Δ_1"] == "Δ_1 = ∂L/∂z_1 = Δ_2 · W_2ᵀ"


def test_every_activation_and_loss_has_its_text() -> None:
    """Adding an activation or a loss to gradcore means adding how a derivation writes it."""
    assert set(ACTIVATION_TEXT) == set(gradcore.ACTIVATIONS)
    assert set(LOSS_TEXT) == set(gradcore.LOSSES)


def test_unknown_names_fall_back_to_the_generic_notation() -> None:
    text = activation_text("softplus", 3)
    assert Template(text.apply).substitute(z="z_3") == "f_3(z_3)"
    assert text.backward is not None
    assert Template(text.backward).substitute(g="(Δ_4 · W_4ᵀ)", z="z_3", l="l_3") == "(Δ_4 · W_4ᵀ) * f′_3(z_3)"
    hinge = loss_text("hinge")
    assert hinge.value == "L = hinge(ŷ, y)"
    assert hinge.gradient == "∂L/∂ŷ"
    assert hinge.delta is None


def evaluate(text: str, names: dict[str, object]) -> np.ndarray:
    """Evaluate a plain-text formula of the derivation with numpy: the text itself is what is tested.

    · is the matrix product (except in m·n_L), ᵀ the transpose, * the element-wise product, and a
    scalar factor written next to its operand, as in (2 / (m·n_L)) (ŷ − y), multiplies it.
    """
    python = text
    for symbol, replacement in {
        "m·n_L": "mn",
        "ŷ": "yh",
        "−": "-",
        "·": "@",
        "ᵀ": ".T",
        "²": "**2",
        "[": "(",
        "]": ")",
        ") (": ")*(",
    }.items():
        python = python.replace(symbol, replacement)
    return np.asarray(eval(python, {"__builtins__": {}}, names), dtype=float)


def namespace(steps: list[Step], layers: list[Layer], X: np.ndarray, Y: np.ndarray) -> dict[str, object]:
    """Every symbol a derivation writes, bound to its value, plus the functions it names."""
    names: dict[str, object] = {
        "X": X,
        "y": Y,
        "m": X.shape[0],
        "mn": Y.size,
        "σ": sig,
        "tanh": np.tanh,
        "max": np.maximum,
        "softmax": lambda Z: (
            np.exp(Z - Z.max(axis=1, keepdims=True))
            / np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
        ),
        "rowsum": lambda a: a.sum(axis=1, keepdims=True),
    }
    for k, layer in enumerate(layers, start=1):
        names[f"W_{k}"] = layer.W
        names[f"b_{k}"] = layer.b
    for step in steps:
        if step.kind in ("pre_activation", "activation", "delta"):
            names[step.symbol] = step.value
    names["yh"] = names.pop("ŷ")
    names[f"l_{len(layers)}"] = names["yh"]
    return names


@pytest.mark.parametrize(("seed", "depth", "activation", "loss_name", "bias"), CASES)
def test_every_written_equation_computes_its_value(
    seed: int, depth: int, activation: str, loss_name: str, bias: bool
) -> None:
    """The right-hand side of each equation, evaluated on the values of the other steps, is the step's value."""
    layers, X, Y = network(seed, depth, activation, loss_name, bias)
    steps = derive(layers, X, Y, loss_name)
    names = namespace(steps, layers, X, Y)
    for step in steps:
        if step.kind in ("loss", "bias_gradient"):
            continue
        right_hand_side = step.equation.split(" = ")[-1]
        np.testing.assert_allclose(evaluate(right_hand_side, names), step.value, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize(("seed", "depth", "activation", "loss_name", "bias"), CASES[::7])
def test_latex_braces_balance(seed: int, depth: int, activation: str, loss_name: str, bias: bool) -> None:
    layers, X, Y = network(seed, depth, activation, loss_name, bias)
    steps: list[Step] = derive(layers, X, Y, loss_name)
    for step in steps:
        depth_count = 0
        for char in step.latex:
            depth_count += {"{": 1, "}": -1}.get(char, 0)
            assert depth_count >= 0, step.latex
        assert depth_count == 0, step.latex
        assert "$" not in step.latex
        assert "$" not in step.equation
