"""``POST /v1/assignments`` for both clients: the request body (the answer: :class:`gradclient.AssignmentsResult`).

>>> body = assignment_body(7, ["ada"], [3, 2, 1], ["sigmoid", "sigmoid"])
>>> body["sizes"], body["decimals"]
([3, 2, 1], 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gradclient.calls import DEFAULT_LOSS

ASSIGNMENTS = "/v1/assignments"


def assignment_body(
    seed: int,
    students: Sequence[str],
    sizes: Sequence[int],
    activations: Sequence[str],
    loss: str = DEFAULT_LOSS,
    *,
    examples: int = 1,
    bias: bool = False,
    decimals: int = 1,
    key: bool = False,
) -> dict[str, Any]:
    """The request: the seed, the students' ids and the template; ``key`` asks for each problem's answer."""
    body: dict[str, Any] = {
        "seed": seed,
        "students": list(students),
        "sizes": list(sizes),
        "activations": list(activations),
        "loss": loss,
        "examples": examples,
        "bias": bias,
        "decimals": decimals,
    }
    if key:
        body["include"] = ["key"]
    return body
