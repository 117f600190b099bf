"""Printable assignment sheets, for ``POST /v1/assignments`` with ``Accept: text/markdown``.

One sheet per student, in the seed's notation: the givens X, W_k, b_k and Y at the template's
decimals, each activation and the loss written out, and the list of what to compute (z_k, l_k, ŷ,
L, Δ_k, ∂L/∂W_k, ∂L/∂b_k) with each shape, and the link that opens the problem in the playground's
exercise mode (:func:`playground_link`). Sheets are separated by :data:`PAGE_BREAK`, which browsers,
pandoc and most Markdown printers turn into a new page.
"""

from __future__ import annotations

from collections.abc import Sequence
from string import Template
from urllib.parse import quote

import numpy as np

from gradcore import AssignedProblem, AssignmentTemplate, Layer, loss_text
from gradcore.teaching.notation import activation_text

PAGE_BREAK = '<div style="page-break-after: always; break-after: page;"></div>'
"""Between two sheets: a page break when printed (HTML and CSS; pandoc keeps raw HTML)."""

DEFINITIONS = {
    "sigmoid": "σ(u) = 1 / (1 + e^(−u))",
    "tanh": "tanh(u) = (e^u − e^(−u)) / (e^u + e^(−u))",
    "relu": "max(u, 0), element by element",
    "linear": "the identity",
    "softmax": "softmax(u)_c = e^(u_c) / Σ_j e^(u_j), row by row",
}
"""Each activation's definition, as a sheet writes it."""


def _matrix(value: np.ndarray, decimals: int) -> str:
    rows = value.reshape(1, -1) if value.ndim == 1 else value
    text = "[" + ", ".join("[" + ", ".join(f"{x:.{decimals}f}" for x in row) + "]" for row in rows) + "]"
    return text[1:-1] if value.ndim == 1 else text


def _shape(rows: int, columns: int) -> str:
    return f"{rows} × {columns}"


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def playground_link(seed: int, template: AssignmentTemplate, student: str) -> str:
    """The student's problem in the playground's exercise mode, as a path of the service.

    The link holds the seed, the template and the id, and no number: the page asks ``POST /v1/assignments``
    for the problem again (students may, in classroom mode too), so it is short enough to type from paper:
    ``/playground#assignment=2026&student=ada&sizes=3-2-1&activations=sigmoid,sigmoid&loss=half_squared_error&examples=1&bias=false&decimals=1``.
    """
    fields = {
        "assignment": str(seed),
        "student": quote(student, safe=""),
        "sizes": "-".join(map(str, template.sizes)),
        "activations": ",".join(template.activations),
        "loss": template.loss,
        "examples": str(template.examples),
        "bias": "true" if template.bias else "false",
        "decimals": str(template.decimals),
    }
    return "/playground#" + "&".join(f"{name}={value}" for name, value in fields.items())


def sheet(seed: int, problem: AssignedProblem, template: AssignmentTemplate, base_url: str) -> str:
    """One student's sheet: the givens, the functions, what to compute with its shapes, and the playground's link
    (``base_url``, the service's address, before :func:`playground_link`)."""
    decimals = template.decimals
    layers, X, Y = problem.layers, problem.X, problem.Y
    m, L = X.shape[0], len(layers)
    sizes = [X.shape[1], *(layer.W.shape[1] for layer in layers)]
    activations = ", ".join(layer.activation for layer in layers)
    lines = [
        f"# Backpropagation by hand: {problem.student}",
        "",
        f"Assignment seed {seed}. Network {' → '.join(map(str, sizes))} ({activations}), "
        f"m = {m} example{'s' if m != 1 else ''}, loss {problem.loss}.",
        "One example per row; `·` is the matrix product, `*` the element-wise product, `ᵀ` the transpose.",
        "",
        "## Given",
        "",
        "```text",
        f"X   = {_matrix(X, decimals)}    ({_shape(m, sizes[0])})",
    ]
    for k, layer in enumerate(layers, start=1):
        lines.append(f"W_{k} = {_matrix(layer.W, decimals)}    ({_shape(*layer.W.shape)})")
        if layer.b is not None:
            lines.append(f"b_{k} = {_matrix(layer.b, decimals)}    ({_entries(layer.b.size)}, added to every row)")
    lines += [f"Y   = {_matrix(Y, decimals)}    ({_shape(*Y.shape)})", "```", "", "## The network", "", "```text"]
    for k, layer in enumerate(layers, start=1):
        previous = "X" if k == 1 else f"l_{k - 1}"
        bias = f" + b_{k}" if layer.b is not None else ""
        applied = Template(activation_text(layer.activation, k).apply).substitute(z=f"z_{k}")
        lines += [f"z_{k} = {previous} · W_{k}{bias}", f"l_{k} = {applied}, {DEFINITIONS.get(layer.activation, '')}"]
    lines += [f"ŷ = l_{L}", loss_text(problem.loss).value, "```", "", "## Compute", ""]
    lines += _tasks(layers, m, sizes)
    lines += [
        "",
        "Give every number to at least 3 significant digits, and every matrix in the shape given: one example",
        "per row, as X.",
        "",
        "Check your work in the playground's exercise mode, quantity by quantity:",
        f"<{base_url.rstrip('/')}{playground_link(seed, template, problem.student)}>",
    ]
    return "\n".join(lines) + "\n"


def _tasks(layers: Sequence[Layer], m: int, sizes: list[int]) -> list[str]:
    """The numbered list of the quantities to compute, forward then backward, with their shapes."""
    L = len(layers)
    forward = [f"z_{k} ({_shape(m, sizes[k])}) and l_{k} ({_shape(m, sizes[k])})" for k in range(1, L + 1)]
    tasks = [f"The forward pass: {', '.join(forward)}; ŷ = l_{L}.", "The loss L (a number)."]
    tasks.append(
        "Backpropagation: " + ", ".join(f"Δ_{k} = ∂L/∂z_{k} ({_shape(m, sizes[k])})" for k in range(L, 0, -1)) + "."
    )
    gradients = []
    for k in range(L, 0, -1):
        text = f"∂L/∂W_{k} ({_shape(sizes[k - 1], sizes[k])})"
        if layers[k - 1].b is not None:
            text += f" and ∂L/∂b_{k} ({_entries(sizes[k])})"
        gradients.append(text)
    tasks.append("The gradients: " + ", ".join(gradients) + ".")
    return [f"{i}. {task}" for i, task in enumerate(tasks, start=1)]


def sheets(seed: int, problems: Sequence[AssignedProblem], template: AssignmentTemplate, base_url: str) -> str:
    """Every student's sheet, in order, with a page break between two."""
    return f"\n{PAGE_BREAK}\n\n".join(sheet(seed, problem, template, base_url) for problem in problems)
