"""A derivation as a Markdown document, for ``POST /v1/derivation`` with ``Accept: text/markdown``.

The document begins with the givens (X, each W_k and b_k, Y and the loss), then writes each equation
once, with the numbers substituted beside the symbols, at :data:`DIGITS` significant digits (the JSON
answer keeps every float64 digit):

    z_1 = X · W_1
        = [[1, 0.5, -1.5]] · [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]
        = [[1.05, -0.35]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from gradcore import Layer, Step, loss_text

SECTIONS = {"pre_activation": "Forward pass", "activation": "Forward pass", "loss": "Loss"}
"""The section of each kind of step; every other kind is in the backward pass."""
DIGITS = 6
"""Significant digits of the numbers in the document."""


def _number(x: float) -> str:
    return f"{float(x):.{DIGITS}g}"


def value_text(value: np.ndarray | float) -> str:
    """A number at 6 significant digits, a vector as ``[a, b]``, a matrix as ``[[a, b], [c, d]]``."""
    if isinstance(value, float) or np.ndim(value) == 0:
        return _number(float(value))
    if value.ndim == 1:
        return "[" + ", ".join(_number(x) for x in value) + "]"
    return "[" + ", ".join("[" + ", ".join(_number(x) for x in row) + "]" for row in value) + "]"


def _values(layers: Sequence[Layer], X: np.ndarray, Y: np.ndarray, steps: Sequence[Step]) -> dict[str, np.ndarray]:
    """Every symbol an equation reads, with its value: X, y, W_k, b_k and the results of the steps."""
    values: dict[str, np.ndarray] = {"X": X, "y": Y}
    for k, layer in enumerate(layers, start=1):
        values[f"W_{k}"] = layer.W
        if layer.b is not None:
            values[f"b_{k}"] = layer.b
    for step in steps:
        if isinstance(step.value, np.ndarray):
            values[step.symbol] = step.value
            if step.kind == "activation":
                values[f"l_{step.layer}"] = step.value
    return values


def _substituted(step: Step, values: dict[str, np.ndarray]) -> list[str]:
    """The equation, then its operands' numbers (those with a value), then the result."""
    lines = [step.equation]
    known = []
    names = [operand.name for operand in step.operands]
    names += [name for name in (f"l_{step.layer}", "ŷ", "y") if re.search(rf"(?<!\w){name}(?!\w)", step.equation)]
    for name in dict.fromkeys(names):
        base, transposed = name.removesuffix("ᵀ"), name.endswith("ᵀ")
        if base in values and name != step.symbol:
            value = values[base].T if transposed else values[base]
            known.append(f"{name} = {value_text(value)}")
    pad = " " * len(step.symbol)
    lines += [f"{pad} where {text}" for text in known]
    lines.append(f"{pad} = {value_text(step.value)}")
    return lines


def derivation_markdown(layers: Sequence[Layer], X: np.ndarray, Y: np.ndarray, loss: str, steps: Sequence[Step]) -> str:
    """The whole derivation: the givens, then one subsection per step, numbered."""
    m = X.shape[0]
    sizes = " → ".join(str(n) for n in [layers[0].W.shape[0], *(layer.W.shape[1] for layer in layers)])
    activations = ", ".join(layer.activation for layer in layers)
    examples = "example" if m == 1 else "examples"
    lines = [
        "# Backpropagation, step by step",
        "",
        f"Network {sizes} ({activations}), m = {m} {examples}, loss {loss}.",
        "One example per row, `·` the matrix product, `*` the element-wise product, `ᵀ` the transpose;",
        f"every shape is rows × columns; numbers at {DIGITS} significant digits.",
        "",
        "## Given",
        "",
        "```text",
        f"X = {value_text(X)}",
    ]
    for k, layer in enumerate(layers, start=1):
        lines.append(f"W_{k} = {value_text(layer.W)}")
        if layer.b is not None:
            lines.append(f"b_{k} = {value_text(layer.b)}")
    lines += [f"y = {value_text(Y)}", f"loss: {loss_text(loss).value}", "```"]
    values = _values(layers, X, Y, steps)
    section = ""
    for number, step in enumerate(steps, start=1):
        if SECTIONS.get(step.kind, "Backward pass") != section:
            section = SECTIONS.get(step.kind, "Backward pass")
            lines += ["", f"## {section}"]
        lines += [
            "",
            f"### {number}. {step.symbol}",
            "",
            step.description,
            "",
            f"Shapes: `{step.check}`",
            "",
            "```text",
            *_substituted(step, values),
            "```",
        ]
    return "\n".join(lines) + "\n"
