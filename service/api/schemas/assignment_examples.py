"""The request example of ``POST /v1/assignments`` and its real answer, shown on the interactive docs page."""

from typing import Any

ASSIGNMENT_EXAMPLE: dict[str, Any] = {
    "seed": 2026,
    "students": ["ada", "grace"],
    "sizes": [3, 2, 1],
    "activations": ["sigmoid", "sigmoid"],
    "loss": "half_squared_error",
    "examples": 1,
    "bias": False,
    "decimals": 1,
}
"""The seed's case 5 as a template: 3 inputs → 2 hidden sigmoid nodes → 1 sigmoid output, one example."""


def _problem(W_1: list[list[float]], W_2: list[list[float]], x: list[float], y: float) -> dict[str, Any]:
    layers = [{"weights": W_1, "activation": "sigmoid"}, {"weights": W_2, "activation": "sigmoid"}]
    return {"network": {"layers": layers}, "inputs": [x], "targets": [[y]], "loss": "half_squared_error"}


def _link(student: str) -> str:
    return (
        f"/playground#assignment=2026&student={student}&sizes=3-2-1&activations=sigmoid,sigmoid"
        "&loss=half_squared_error&examples=1&bias=false&decimals=1"
    )


ASSIGNMENTS_ANSWER: dict[str, Any] = {
    "problems": [
        {
            "student": "ada",
            "attempt": 0,
            "problem": _problem([[-1.0, -0.4], [-0.8, 0.9], [-0.2, -0.4]], [[-0.1], [0.8]], [0.4, 0.7, 0.5], 0.2),
            "playground": _link("ada"),
        },
        {
            "student": "grace",
            "attempt": 0,
            "problem": _problem([[1.0, -0.3], [-0.1, -0.2], [-0.4, -0.7]], [[1.0], [-0.8]], [0.8, 0.5, 0.9], 0.1),
            "playground": _link("grace"),
        },
    ]
}
"""The answer of ``/v1/assignments`` to :data:`ASSIGNMENT_EXAMPLE` (exact: drawn decimals, nothing computed)."""
