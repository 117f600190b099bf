"""A derivation as a Markdown document, for ``POST /v1/derivation`` with ``Accept: text/markdown``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradcore import Layer
from gradcore.derivation import Step

SECTIONS = {"pre_activation": "Forward pass", "activation": "Forward pass", "loss": "Loss"}
"""The section of each kind of step; every other kind is in the backward pass."""


def _number(x: float) -> str:
    return repr(float(x))


def value_text(value: np.ndarray | float) -> str:
    """A number as Python writes it, a vector as ``[a, b]``, a matrix one row per line ``[[a, b],`` ``[c, d]]``."""
    if isinstance(value, float):
        return _number(value)
    if value.ndim == 1:
        return "[" + ", ".join(_number(x) for x in value) + "]"
    rows = ["[" + ", ".join(_number(x) for x in row) + "]" for row in value]
    return "[" + ",\n ".join(rows) + "]"


def derivation_markdown(layers: Sequence[Layer], m: int, loss: str, steps: Sequence[Step]) -> str:
    """The whole derivation: a header naming the network, then one subsection per step, numbered."""
    sizes = " → ".join(str(n) for n in [layers[0].W.shape[0], *(layer.W.shape[1] for layer in layers)])
    activations = ", ".join(layer.activation for layer in layers)
    examples = "example" if m == 1 else "examples"
    lines = [
        "# Backpropagation, step by step",
        "",
        f"Network {sizes} ({activations}), m = {m} {examples}, loss {loss}.",
        "Notation of the seed notes: one example per row, `·` the matrix product, `*` the element-wise product,",
        "`ᵀ` the transpose; every shape is rows × columns.",
    ]
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
            f"`{step.equation}`",
            "",
            f"$${step.latex}$$",
            "",
            f"Shapes: `{step.check}`",
            "",
            "```text",
            value_text(step.value),
            "```",
        ]
    return "\n".join(lines) + "\n"
