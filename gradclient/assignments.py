"""``POST /v1/assignments``: a problem per student (:func:`assignments`) or the printable sheets
(:func:`assignment_sheets`), methods of both clients (:mod:`gradclient.calls`).

>>> body = assignments(7, ["ada"], [3, 2, 1], ["sigmoid", "sigmoid"]).body
>>> body["sizes"], body["decimals"]
([3, 2, 1], 1)
"""

from __future__ import annotations

from collections.abc import Sequence

from gradclient.calls import DEFAULT_LOSS, Call, json_call, text_call
from gradclient.results import AssignmentsResult

ASSIGNMENTS = "/v1/assignments"


def assignments(
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
) -> Call[AssignmentsResult]:
    """A problem per student from one seed (each a ``/v1/gradients`` request); ``key=True`` adds each answer.

    ``sizes`` are n_0 … n_L, ``activations`` f_1 … f_L, ``examples`` m, ``decimals`` those of the given numbers.
    The same seed, template and id always give the same problem, whoever else is listed.
    """
    body = {
        "seed": seed,
        "students": list(students),
        "sizes": list(sizes),
        "activations": list(activations),
        "loss": loss,
        "examples": examples,
        "bias": bias,
        "decimals": decimals,
    }
    return json_call(ASSIGNMENTS, body | ({"include": ["key"]} if key else {}), AssignmentsResult)


def assignment_sheets(
    seed: int,
    students: Sequence[str],
    sizes: Sequence[int],
    activations: Sequence[str],
    loss: str = DEFAULT_LOSS,
    *,
    examples: int = 1,
    bias: bool = False,
    decimals: int = 1,
) -> Call[str]:
    """The printable sheets of :meth:`assignments` as Markdown, one per student, separated by page breaks."""
    problems = assignments(seed, students, sizes, activations, loss, examples=examples, bias=bias, decimals=decimals)
    return text_call(ASSIGNMENTS, problems.body)
