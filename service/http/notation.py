"""The seed's name of a value in a request body, for the messages people read: ``W_2, row 0, column 0``.

Every error keeps its JSON pointer for programs; its message starts with the quantity in the notation of
the seed notes, found from the pointer's path: ``network/layers/1/weights/0/0`` is W_2's row 0, column 0,
``claimed/layers/0/delta/1/0`` is Δ_1's row 1, column 0, ``inputs/2`` is row 2 of X.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradcore import symbol

FIELDS = ("pre_activation", "activation", "delta", "weights_gradient", "bias_gradient")


def _at(indices: Sequence[str | int]) -> str:
    numbers = [str(index) for index in indices if isinstance(index, int)]
    if len(numbers) != len(indices) or len(numbers) > 2:
        return ""
    if len(numbers) == 2:
        return f", row {numbers[0]}, column {numbers[1]}"
    return f", entry {numbers[0]}" if numbers else ""


def quantity(location: Sequence[str | int]) -> str | None:
    """The seed's name of the value at ``location`` (a path into the body), or None when it has none."""
    path = list(location)
    while len(path) >= 2 and path[0] == "submissions" and isinstance(path[1], int):
        path = path[3:] if len(path) > 2 and path[2] in ("problem", "answer") else path[2:]
    if len(path) >= 4 and path[:2] == ["network", "layers"] and isinstance(path[2], int):
        k, name = path[2] + 1, path[3]
        if name in ("weights", "bias"):
            return f"{'W' if name == 'weights' else 'b'}_{k}{_at(path[4:])}"
        return None
    head = path[0] if path else None
    if head in ("inputs", "targets"):
        return f"{'X' if head == 'inputs' else 'Y'}{_at(path[1:])}"
    if head == "claimed_gradients" and len(path) >= 2 and isinstance(path[1], int):
        return f"claimed ∂L/∂W_{path[1] + 1}{_at(path[2:])}"
    if head == "claimed_bias_gradients" and len(path) >= 2 and isinstance(path[1], int):
        return f"claimed ∂L/∂b_{path[1] + 1}{_at(path[2:])}"
    if head in ("claimed", "answer"):
        path = path[1:]
    elif path[:1] not in (["loss"], ["output"], ["layers"]) or location[:1] != ("submissions",):
        return None
    if path[:1] == ["loss"]:
        return "L" + _at(path[1:])
    if path[:1] == ["output"]:
        return "ŷ" + _at(path[1:])
    if len(path) >= 3 and path[0] == "layers" and isinstance(path[1], int) and path[2] in FIELDS:
        return symbol(str(path[2]), path[1] + 1) + _at(path[3:])
    return None
