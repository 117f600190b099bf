"""Two answers that tables do not suit: the derivation, step by step, and a training run's loss history.

>>> sparkline([4.0, 3.0, 2.0, 1.0, 1.0], width=5)
'█▆▃▁▁'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.cli.tables import Renderer, render

BARS = "▁▂▃▄▅▆▇█"
SECTIONS = {
    "pre_activation": "Forward pass",
    "activation": "Forward pass",
    "loss": "Loss",
    "delta": "Backward pass",
    "weights_gradient": "Backward pass",
    "bias_gradient": "Backward pass",
}
WIDTH = 60


def sparkline(values: Sequence[float], width: int = WIDTH) -> str:
    """``values`` as one line of bars, linear from the smallest (▁) to the largest (█), at most ``width`` long.

    Longer series are sampled at evenly spaced steps, the first and the last always included.
    """
    if not values:
        return ""
    count = min(width, len(values))
    sampled = [values[round(i * (len(values) - 1) / (count - 1))] for i in range(count)] if count > 1 else [values[0]]
    low, high = min(sampled), max(sampled)
    scale = (len(BARS) - 1) / (high - low) if high > low else 0.0
    return "".join(BARS[round((value - low) * scale)] for value in sampled)


def training_text(data: dict[str, Any], digits: int = 6) -> str:
    """The loss history as a sparkline with its first and last values, then ŷ and the trained network as tables."""
    renderer = Renderer(digits)
    lines: list[str] = []
    history = data.get("loss_history")
    if isinstance(history, list) and history:
        steps = len(history) - 1
        first, last = renderer.number(history[0]), renderer.number(history[-1])
        lines += [
            f"loss_history  ({len(history)})  {first} → {last} after {steps} step{'s' if steps != 1 else ''}",
            f"  {sparkline(history)}",
            f"  ▁ {renderer.number(min(history))}   █ {renderer.number(max(history))}   (linear, step 0 … {steps})",
        ]
    rest = {key: value for key, value in data.items() if key != "loss_history"}
    if rest:
        lines += ["", render(rest, digits)] if lines else [render(rest, digits)]
    return "\n".join(lines)


def derivation_text(data: dict[str, Any], digits: int = 6) -> str:
    """Every step: its number, equation, description, dimension check and value, under Forward/Loss/Backward."""
    renderer = Renderer(digits)
    lines: list[str] = []
    section = None
    for number, step in enumerate(data.get("steps") or (), start=1):
        title = SECTIONS.get(step.get("kind", ""), "")
        if title and title != section:
            lines += ["", title, "=" * len(title)] if lines else [title, "=" * len(title)]
            section = title
        lines += ["", f"{number}. {step.get('equation') or step.get('symbol', '')}"]
        if step.get("description"):
            lines.append(f"   {step['description']}")
        shapes = step.get("shapes")
        if isinstance(shapes, dict) and shapes.get("check"):
            lines.append(f"   shapes  {shapes['check']}")
        value = step.get("value")
        if isinstance(value, list):
            rows = value if value and isinstance(value[0], list) else [value]
            lines.extend(renderer.table(rows, "     "))
        elif value is not None:
            lines.append(f"   {step.get('symbol', 'value')} = {renderer.scalar(value)}")
    return "\n".join(lines)
