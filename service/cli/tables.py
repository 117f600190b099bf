"""A JSON answer of the service as readable text: every matrix with its shape as an aligned table.

Names follow the seed notes, numbered by layer: ``pre_activation`` is z_k,
``activation`` l_k, ``delta`` Δ_k, ``weights_gradient`` ∂L/∂W_k, ``output`` ŷ.
Layers are numbered from 1, like W_1 … W_L.

>>> print(render({"loss": 0.5, "output": [[0.25], [-1.0]]}))
loss  0.5
<BLANKLINE>
output ŷ  (2 × 1)
  0.25
    -1
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Real
from typing import Any

SYMBOLS = {
    "output": "ŷ",
    "weights": "W_{k}",
    "bias": "b_{k}",
    "pre_activation": "z_{k}",
    "activation": "l_{k}",
    "delta": "Δ_{k}",
    "weights_gradient": "∂L/∂W_{k}",
    "bias_gradient": "∂L/∂b_{k}",
    "input_gradient": "∂L/∂X",
    "hessian_vector_weights": "(∇²L·v) for W_{k}",
    "hessian_vector_bias": "(∇²L·v) for b_{k}",
}
"""The seed's symbol for each field of an answer; ``{k}`` is the layer's number."""


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_vector(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_number(item) for item in value)


def _is_matrix(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(_is_vector(row) and len(row) == len(value[0]) for row in value)
    )


class Renderer:
    """Render answers with numbers rounded to ``digits`` significant digits (``--json`` gives them all)."""

    def __init__(self, digits: int = 6) -> None:
        self.digits = digits

    def number(self, value: float) -> str:
        return f"{value:.{self.digits}g}"

    def scalar(self, value: Any) -> str:
        if _is_number(value):
            return self.number(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(self.scalar(item) for item in value)
        return str(value)

    def table(self, rows: list[list[float]], indent: str) -> Iterator[str]:
        """The rows right-aligned in columns."""
        cells = [[self.number(value) for value in row] for row in rows]
        widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
        for row in cells:
            yield indent + "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))

    def field(self, key: str, value: Any, k: int | None, indent: str) -> Iterator[str]:
        """The lines of one field; ``k`` is the number of the layer it belongs to, if any.

        A field without a value (JSON null, such as a check's ``note`` when there is none, or an empty list,
        such as verify's ``wrong_entries`` of a correct claim) is left out.
        """
        if value is None or value == []:
            return
        if _is_matrix(value):
            yield f"{indent}{self.name(key, k)}  ({len(value)} × {len(value[0])})"
            yield from self.table(value, indent + "  ")
        elif _is_vector(value) and len(value) > 1:
            yield f"{indent}{self.name(key, k)}  ({len(value)})"
            yield from self.table([value], indent + "  ")
        elif isinstance(value, dict):
            yield f"{indent}{key}"
            for child, item in value.items():
                yield from self.field(child, item, k, indent + "  ")
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for number, item in enumerate(value, start=1):
                if number > 1:
                    yield ""
                yield f"{indent}{'layer' if key == 'layers' else key} {number}"
                for child, child_value in item.items():
                    yield from self.field(child, child_value, number if key == "layers" else k, indent + "  ")
        else:
            yield f"{indent}{self.name(key, k) if _is_vector(value) else key}  {self.scalar(value)}"

    @staticmethod
    def name(key: str, k: int | None) -> str:
        """An array's field name and its symbol, e.g. ``weights_gradient ∂L/∂W_2``."""
        symbol = SYMBOLS.get(key)
        if symbol is None or (k is None and "{k}" in symbol):
            return key
        return f"{key} {symbol.format(k=k)}"

    def render(self, data: dict[str, Any]) -> str:
        """The whole answer, one field after the other, a blank line around each table or section."""
        lines: list[str] = []
        previous: list[str] = []
        for key, value in data.items():
            block = list(self.field(key, value, None, ""))
            if not block:
                continue
            if lines and (len(block) > 1 or len(previous) > 1):
                lines.append("")
            lines.extend(block)
            previous = block
        return "\n".join(lines)


def render(data: dict[str, Any], digits: int = 6) -> str:
    """An answer of the service as text, numbers to ``digits`` significant digits."""
    return Renderer(digits).render(data)
