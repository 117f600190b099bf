"""Assignments: a backpropagation problem per student, drawn deterministically from a seed and a template.

The algorithm, exactly, so that a reimplementation gives the same numbers:

1. The **canonical JSON** of ``{"attempt": a, "seed": s, "student": id, "template": t}``, where t is
   ``{"activations": [...], "bias": b, "decimals": d, "examples": m, "loss": name, "sizes": [n_0, …, n_L]}``:
   keys sorted, separators ``","`` and ``":"`` (no spaces), non-ASCII characters as they are, encoded in
   UTF-8 (Python's ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
2. Its **SHA-256**; the first 16 bytes of the digest, read big-endian, are a 128-bit integer.
3. That integer seeds numpy's ``Generator(PCG64(integer))``.
4. **Draws, in this order**, each with ``Generator.integers(low, high, size=shape)`` (high excluded,
   int64, row-major), N = 10^d:

   - X (m × n_0): u = integers(0, 2N, (m, n_0)), q = u − N if u < N else u − N + 1, x = q / N: a nonzero
     multiple of 10^−d in [−1, 1];
   - for k = 1 … L: W_k (n_{k−1} × n_k) drawn like X, then, with ``bias``, b_k (n_k entries) likewise;
   - Y (m × n_L): after a softmax last layer, one-hot rows, the class of each row integers(0, n_L, (m,));
     after a sigmoid last layer (and for binary_cross_entropy), integers(0, N + 1, (m, n_L)) / N in [0, 1];
     otherwise integers(−N, N + 1, (m, n_L)) / N in [−1, 1].
5. The problem is **kept** when it breaks no rule of :mod:`gradcore.teaching.rules` (no saturated unit,
   no zero or tie in Δ_k, ∂L/∂W_k and ∂L/∂b_k, every usual mistake distinguishable); otherwise the attempt
   a (from 0) goes up by one and the draws start again, up to :data:`MAX_ATTEMPTS` attempts.

A student's problem depends on the seed, the template and that student's id only: whoever else is listed,
in whatever order, it is the same, and a student added late changes nobody else's numbers.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.errors import ParameterError, Problem
from gradcore.core.losses import LOSSES
from gradcore.core.shapes import shape_problems
from gradcore.core.types import Array, Layer
from gradcore.teaching.rules import rule_violations

MAX_ATTEMPTS = 2000
"""The most attempts for one student's problem; a template whose draws keep breaking the rules is refused."""
MIN_DECIMALS, MAX_DECIMALS = 1, 3
"""The decimals d of the given numbers: multiples of 0.1 to 0.001."""


@dataclass(frozen=True)
class AssignmentTemplate:
    """The shape of every student's problem.

    Attributes
    ----------
    sizes : tuple of int
        n_0, n_1, …, n_L: the inputs, then the nodes of each layer (``(3, 2, 1)``: W_1 is 3 × 2, W_2 is 2 × 1).
    activations : tuple of str
        f_1 … f_L, keys of :data:`gradcore.ACTIVATIONS`, one per layer.
    loss : str
        A key of :data:`gradcore.LOSSES` that fits f_L.
    examples : int
        m, the rows of X and Y.
    bias : bool
        Whether every layer has a bias b_k.
    decimals : int
        d: every given number is a multiple of 10^−d, d from 1 to 3.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "half_squared_error"
    examples: int = 1
    bias: bool = False
    decimals: int = 1

    def canonical(self) -> dict[str, Any]:
        """The template as the algorithm hashes it (a JSON object)."""
        return {
            "activations": list(self.activations),
            "bias": self.bias,
            "decimals": self.decimals,
            "examples": self.examples,
            "loss": self.loss,
            "sizes": list(self.sizes),
        }


@dataclass(frozen=True)
class AssignedProblem:
    """One student's problem: a network, inputs X (m × n_0), targets Y (m × n_L) and the loss.

    Attributes
    ----------
    student : str
        The student's id.
    layers : tuple of Layer
        W_k (n_{k−1} × n_k), f_k and, with a bias, b_k (n_k).
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets.
    loss : str
        The loss, the template's.
    attempt : int
        The attempt a (from 0) of the algorithm whose draws were kept.
    """

    student: str
    layers: tuple[Layer, ...]
    X: Array
    Y: Array
    loss: str
    attempt: int


def template_problems(template: AssignmentTemplate) -> list[Problem]:
    """List what is wrong with a template, located at ``("sizes", i)``, ``("activations", k)``, ``("loss",)`` …

    The sizes must be at least 2 positive integers, one activation per layer, ``examples`` ≥ 1,
    ``decimals`` from 1 to 3; the activations and the loss must fit together as :func:`gradcore.shape_problems`
    requires (softmax last only, over 2 outputs or more; cross_entropy after softmax, binary_cross_entropy
    after sigmoid). Returns an empty list for a good template.
    """
    sizes, L = template.sizes, len(template.sizes) - 1
    problems = [Problem(("sizes", i), f"n_{i} = {n} must be a positive integer") for i, n in enumerate(sizes) if n < 1]
    if L < 1:
        problems.append(Problem(("sizes",), "sizes needs at least 2 numbers, n_0 (inputs) and n_1 (outputs)"))
    elif len(template.activations) != L:
        message = f"{len(template.activations)} activations for {L} layers: one per layer (sizes has L + 1 numbers)"
        problems.append(Problem(("activations",), message))
    if template.examples < 1:
        problems.append(Problem(("examples",), f"examples m = {template.examples} must be at least 1"))
    if not MIN_DECIMALS <= template.decimals <= MAX_DECIMALS:
        message = f"decimals = {template.decimals} must be from {MIN_DECIMALS} to {MAX_DECIMALS}"
        problems.append(Problem(("decimals",), message))
    unknown = [k for k, name in enumerate(template.activations) if name not in ACTIVATIONS]
    problems += [
        Problem(("activations", k), f"{template.activations[k]!r} is not one of {', '.join(ACTIVATIONS)}")
        for k in unknown
    ]
    if template.loss not in LOSSES:
        problems.append(Problem(("loss",), f"loss {template.loss!r} is not one of {', '.join(LOSSES)}"))
    if problems:
        return problems
    layers = [Layer(W=np.ones((sizes[k], sizes[k + 1])), activation=template.activations[k]) for k in range(L)]
    X, Y = np.ones((template.examples, sizes[0])), np.full((template.examples, sizes[-1]), 1.0 / sizes[-1])
    return [_located(problem) for problem in shape_problems(layers, X, Y, template.loss)]


def _located(problem: Problem) -> Problem:
    """A problem of the template's network located in the template: its activation, its loss, else its sizes."""
    if problem.location[0] == "layers" and problem.location[-1] == "activation":
        return Problem(("activations", problem.location[1]), problem.message)
    if problem.location[0] == "loss":
        return problem
    return Problem(("sizes",), problem.message)


def canonical_json(value: Any) -> str:
    """Step 1's canonical JSON: keys sorted, no spaces, non-ASCII characters as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=64)
def _template_json(template: AssignmentTemplate) -> str:
    return canonical_json(template.canonical())


def problem_state(seed: int, template: AssignmentTemplate, student: str, attempt: int) -> int:
    """Steps 1 and 2 of the algorithm: the 128-bit integer that seeds the draws of one attempt.

    The canonical JSON of ``{"attempt", "seed", "student", "template"}`` (keys already in sorted order), written
    from its parts: the template's text is made once per template.
    """
    text = (
        f'{{"attempt":{canonical_json(attempt)},"seed":{canonical_json(seed)},'
        f'"student":{canonical_json(student)},"template":{_template_json(template)}}}'
    )
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def _nonzero(rng: np.random.Generator, N: int, shape: tuple[int, ...]) -> Array:
    """Nonzero multiples of 1/N in [−1, 1]: u in [0, 2N), q = u − N, skipping 0; q / N."""
    u = rng.integers(0, 2 * N, size=shape)
    q = u - N + (u >= N)
    values: Array = q / N
    return values


def draw(seed: int, template: AssignmentTemplate, student: str, attempt: int) -> tuple[tuple[Layer, ...], Array, Array]:
    """Steps 3 and 4 of the algorithm: the layers, X and Y of one attempt (the rules not yet checked)."""
    rng = np.random.Generator(np.random.PCG64(problem_state(seed, template, student, attempt)))
    N, m, sizes = 10**template.decimals, template.examples, template.sizes
    X = _nonzero(rng, N, (m, sizes[0]))
    layers = []
    for k, activation in enumerate(template.activations):
        W = _nonzero(rng, N, (sizes[k], sizes[k + 1]))
        b = _nonzero(rng, N, (sizes[k + 1],)) if template.bias else None
        layers.append(Layer(W=W, activation=activation, b=b))
    last, n_L = template.activations[-1], sizes[-1]
    if last == "softmax":
        Y: Array = np.eye(n_L)[rng.integers(0, n_L, size=m)]
    elif last == "sigmoid" or template.loss == "binary_cross_entropy":
        Y = rng.integers(0, N + 1, size=(m, n_L)) / N
    else:
        Y = rng.integers(-N, N + 1, size=(m, n_L)) / N
    return tuple(layers), X, Y


def raise_if_bad_template(template: AssignmentTemplate) -> None:
    """Raise :class:`ParameterError` with every problem of :func:`template_problems`, if any."""
    problems = template_problems(template)
    if problems:
        raise ParameterError(problems)


def assigned_problem(
    seed: int, template: AssignmentTemplate, student: str, *, max_attempts: int | None = None
) -> AssignedProblem | None:
    """One student's problem, by the algorithm of this module (the template is assumed valid).

    Parameters
    ----------
    seed : int
        The assignment's seed, any integer.
    template : AssignmentTemplate
        A template without :func:`template_problems`.
    student : str
        The student's id.
    max_attempts : int, optional
        A caller's budget: make at most this many attempts (a budget above :data:`MAX_ATTEMPTS` changes nothing).

    Returns
    -------
    AssignedProblem or None
        The first attempt's draws that break no rule of :mod:`gradcore.teaching.rules`; None when
        ``max_attempts`` (below :data:`MAX_ATTEMPTS`) attempts found none: the budget ran out, the
        algorithm did not.

    Raises
    ------
    ParameterError
        At ``("sizes",)``: no attempt of :data:`MAX_ATTEMPTS` met the rules (fewer nodes or examples, or
        more decimals, make it easier).
    """
    limit = MAX_ATTEMPTS if max_attempts is None else min(max_attempts, MAX_ATTEMPTS)
    for attempt in range(limit):
        layers, X, Y = draw(seed, template, student, attempt)
        if not rule_violations(layers, X, Y, template.loss):
            return AssignedProblem(student, layers, X, Y, template.loss, attempt)
    if limit < MAX_ATTEMPTS:
        return None
    message = (
        f"no draw of this template met the rules for hand work in {MAX_ATTEMPTS} attempts (for one student): "
        "fewer nodes or examples, more decimals, or other activations make it possible"
    )
    raise ParameterError([Problem(("sizes",), message)])


def assign(seed: int, template: AssignmentTemplate, students: Sequence[str]) -> list[AssignedProblem]:
    """Every student's problem, in the order given.

    Parameters
    ----------
    seed : int
        The assignment's seed.
    template : AssignmentTemplate
        The shape of every problem.
    students : sequence of str
        The students' ids: nonempty and each listed once.

    Returns
    -------
    list of AssignedProblem
        One per student, each :func:`assigned_problem` of that student alone.

    Raises
    ------
    ParameterError
        When :func:`template_problems` finds a problem, an id is empty (``("students", i)``) or listed
        twice, or a student's problem cannot be drawn (see :func:`assigned_problem`).
    """
    raise_if_bad_template(template)
    seen: dict[str, int] = {}
    problems = []
    for i, student in enumerate(students):
        if not student:
            problems.append(Problem(("students", i), "a student id must not be empty"))
        elif student in seen:
            problems.append(Problem(("students", i), f"this id is listed twice (also at {seen[student]})"))
        seen.setdefault(student, i)
    if problems:
        raise ParameterError(problems)
    found = [assigned_problem(seed, template, student) for student in students]
    return [problem for problem in found if problem is not None]  # all of them: no budget was given
