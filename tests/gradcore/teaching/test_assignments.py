"""Assignments: deterministic, independent of the other students, and every problem fit for hand work.

The rules are checked here from their definitions (σ′ from l, entries of the gradients of
:func:`gradcore.backward`, the mistaken variants recomputed), not through ``rule_violations``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest

from gradcore import AssignedProblem, AssignmentTemplate, Layer, ParameterError, assign, backward, forward
from gradcore import template_problems as problems_of
from gradcore.teaching import assignments
from gradcore.teaching.assignments import assigned_problem

TEMPLATES = [
    AssignmentTemplate((3, 2, 1), ("sigmoid", "sigmoid")),
    AssignmentTemplate((2, 2, 2), ("sigmoid", "sigmoid"), examples=2, decimals=2),
    AssignmentTemplate((3, 2, 1), ("tanh", "sigmoid"), "binary_cross_entropy", examples=3, bias=True),
    AssignmentTemplate((3, 3, 2), ("tanh", "softmax"), "cross_entropy", examples=2),
    AssignmentTemplate((2, 3, 1), ("relu", "linear"), "mean_squared_error", examples=3),
    AssignmentTemplate((4, 3, 2, 1), ("sigmoid", "tanh", "sigmoid"), examples=2, decimals=2),
    AssignmentTemplate((2, 2), ("sigmoid",), decimals=3),
]
STUDENTS = [f"student-{i:02d}" for i in range(12)]


def same(a: AssignedProblem, b: AssignedProblem) -> bool:
    arrays = [(a.X, b.X), (a.Y, b.Y)] + [(p.W, q.W) for p, q in zip(a.layers, b.layers, strict=True)]
    arrays += [(p.b, q.b) for p, q in zip(a.layers, b.layers, strict=True) if p.b is not None and q.b is not None]
    return a.attempt == b.attempt and all(np.array_equal(p, q) for p, q in arrays)


def test_the_same_seed_template_and_student_give_the_same_problem() -> None:
    template = TEMPLATES[2]
    first, second = assign(42, template, ["ana"]), assign(42, template, ["ana"])
    assert same(first[0], second[0])


def test_a_student_s_problem_is_the_same_whoever_else_is_listed_in_any_order() -> None:
    template = TEMPLATES[1]
    alone = assign(7, template, ["ana"])[0]
    crowd = assign(7, template, ["zoé", "ben", "ana", "carl"])
    late = assign(7, template, ["zoé", "ben", "ana", "carl", "dora"])
    assert same(crowd[2], alone)
    assert all(same(a, b) for a, b in zip(crowd, late, strict=False))
    assert [problem.student for problem in crowd] == ["zoé", "ben", "ana", "carl"]


def test_students_and_seeds_get_different_numbers() -> None:
    template = TEMPLATES[0]
    problems = assign(1, template, STUDENTS)
    inputs = {problem.X.tobytes() + problem.layers[0].W.tobytes() for problem in problems}
    assert len(inputs) == len(STUDENTS)
    assert not same(assign(2, template, ["ana"])[0], assign(1, template, ["ana"])[0])


def test_the_documented_algorithm_reproduces_the_problem() -> None:
    """A reimplementation from the module's docstring: canonical JSON → SHA-256 → PCG64 → the draws in order."""
    template = AssignmentTemplate((2, 2, 2), ("tanh", "softmax"), "cross_entropy", examples=2, bias=True, decimals=2)
    problem = assign(2026, template, ["Élodie"])[0]
    text = (
        f'{{"attempt":{problem.attempt},"seed":2026,"student":"Élodie","template":{{"activations":["tanh","softmax"],'
        '"bias":true,"decimals":2,"examples":2,"loss":"cross_entropy","sizes":[2,2,2]}}'
    )
    state = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    rng = np.random.Generator(np.random.PCG64(state))

    def nonzero(shape: tuple[int, ...]) -> np.ndarray:
        u = rng.integers(0, 200, size=shape)
        return np.where(u < 100, u - 100, u - 99) / 100

    X = nonzero((2, 2))
    W_1, b_1, W_2, b_2 = nonzero((2, 2)), nonzero((2,)), nonzero((2, 2)), nonzero((2,))
    Y = np.eye(2)[rng.integers(0, 2, size=2)]
    expected = [X, W_1, b_1, W_2, b_2, Y]
    got = [problem.X, problem.layers[0].W, problem.layers[0].b, problem.layers[1].W, problem.layers[1].b, problem.Y]
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert json.loads(text)["template"] == template.canonical()


def sigmoid_slope(A: np.ndarray) -> np.ndarray:
    return A * (1 - A)


def check_entries(M: np.ndarray, live: np.ndarray) -> None:
    values = M[live]
    assert values.size > 0
    assert np.min(np.abs(values)) >= 0.01 * np.max(np.abs(values))
    assert np.all(M[~live] == 0.0)
    diffs = np.abs(values[:, None] - values[None, :]) + np.eye(values.size)
    assert np.all(diffs >= 0.01 * np.maximum(np.abs(values[:, None]), np.abs(values[None, :])) - 1e-15)


def check_problem(problem: AssignedProblem, template: AssignmentTemplate) -> None:
    scale = 10**template.decimals
    given = [problem.X, *(layer.W for layer in problem.layers)]
    given += [layer.b for layer in problem.layers if layer.b is not None]
    for values in [*given, problem.Y]:
        np.testing.assert_allclose(values * scale, np.round(values * scale), atol=1e-9)  # d decimals
    assert all(np.all(values != 0) and np.max(np.abs(values)) <= 1 for values in given)
    assert all((layer.b is not None) == template.bias for layer in problem.layers)
    if template.loss == "cross_entropy":
        assert np.all((problem.Y == 0) | (problem.Y == 1))
        assert np.all(problem.Y.sum(axis=1) == 1)
    if template.loss == "binary_cross_entropy":
        assert np.all((problem.Y >= 0) & (problem.Y <= 1))
    cache = forward(problem.layers, problem.X)
    grads = backward(problem.layers, cache, problem.Y, problem.loss)
    for layer, Z, A, delta, dW in zip(problem.layers, cache.Z, cache.A, grads.delta, grads.dW, strict=True):
        live = np.ones(Z.shape, dtype=bool)
        assert np.min(np.abs(Z)) >= 0.05  # no silent unit
        if layer.activation == "sigmoid":
            assert np.min(sigmoid_slope(A)) >= 0.05  # not saturated
        if layer.activation == "tanh":
            assert np.min(1 - A**2) >= 0.2
        if layer.activation == "relu":
            assert np.min(np.abs(Z)) >= 0.1
            live = Z > 0
        check_entries(delta, live)
        check_entries(dW, np.broadcast_to(live.any(axis=0), dW.shape))
        if dW.shape[0] == dW.shape[1] > 1:
            assert np.max(np.abs(dW - dW.T)) > 0.02 * np.max(np.abs(dW))  # not symmetric: a transpose shows
    m = problem.X.shape[0]
    factors = (1.0, -1.0, 2.0, 0.5, *((m, 1 / m) if m > 1 else ()))
    for j, layer in enumerate(problem.layers):  # forgetting f′_j changes ∂L/∂W_k for every k ≤ j
        if layer.activation in ("linear",) or (j == len(problem.layers) - 1 and problem.loss.endswith("cross_entropy")):
            continue
        forgetful = [*problem.layers[:j], replace(layer, activation="linear"), *problem.layers[j + 1 :]]
        wrong = backward(forgetful, cache, problem.Y, problem.loss)
        for k in range(j + 1):  # the forgotten f′ is neither the truth nor a sign slip nor a usual factor
            top = np.max(np.abs(grads.dW[k]))
            assert all(np.max(np.abs(wrong.dW[k] - c * grads.dW[k])) > 0.02 * top for c in factors)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: "-".join(t.activations) + f"-m{t.examples}")
def test_every_problem_meets_the_rules_on_many_seeds(template: AssignmentTemplate) -> None:
    for seed in range(4):
        for problem in assign(seed, template, STUDENTS[:6]):
            check_problem(problem, template)


def test_a_hand_made_problem_that_breaks_the_rules_is_told_why() -> None:
    from gradcore import rule_violations

    saturated = [Layer(W=np.array([[9.0]]))]
    assert rule_violations(saturated, np.array([[1.0]]), np.array([[0.0]]), "half_squared_error")[0].rule == "saturated"
    zero_input = [Layer(W=np.array([[0.5], [0.3]]))]
    zero = rule_violations(zero_input, np.array([[1.0, 0.0]]), np.array([[0.0]]), "half_squared_error")
    assert zero[0].rule == "zero"
    symmetric = [Layer(W=np.array([[0.5, 0.2], [0.2, 0.7]]), activation="linear")]  # ∂L/∂W = Xᵀ·(X·W − Y) = W − Y
    found = rule_violations(symmetric, np.eye(2), np.array([[0.1, 0.4], [0.4, 0.2]]), "half_squared_error")
    assert found
    assert found[0].rule in ("tie", "indistinct")


@pytest.mark.parametrize(
    ("template", "location"),
    [
        (AssignmentTemplate((3,), ()), ("sizes",)),
        (AssignmentTemplate((3, 0, 1), ("sigmoid", "sigmoid")), ("sizes", 1)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid",)), ("activations",)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "swish")), ("activations", 1)),
        (AssignmentTemplate((3, 2, 1), ("softmax", "sigmoid")), ("activations", 0)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "softmax")), ("activations", 1)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "tanh"), "binary_cross_entropy"), ("activations", 1)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "sigmoid"), "hinge"), ("loss",)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "sigmoid"), examples=0), ("examples",)),
        (AssignmentTemplate((3, 2, 1), ("sigmoid", "sigmoid"), decimals=0), ("decimals",)),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(template: AssignmentTemplate, location: tuple[object, ...]) -> None:
    assert location in [problem.location for problem in problems_of(template)]
    with pytest.raises(ParameterError) as raised:
        assign(0, template, ["ana"])
    assert location in [problem.location for problem in raised.value.problems]


def test_an_id_listed_twice_or_empty_is_refused() -> None:
    with pytest.raises(ParameterError) as raised:
        assign(0, TEMPLATES[0], ["ana", "ben", "ana", ""])
    assert [problem.location for problem in raised.value.problems] == [("students", 2), ("students", 3)]


def test_a_template_no_draw_can_satisfy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """One relu unit and one example: either z < 0 (Δ = 0) or relu′ = 1 (a forgotten relu′ cannot show)."""
    monkeypatch.setattr(assignments, "MAX_ATTEMPTS", 40)
    with pytest.raises(ParameterError) as raised:
        assigned_problem(0, AssignmentTemplate((1, 1), ("relu",)), "ana")
    assert raised.value.problems[0].location == ("sizes",)


@pytest.mark.parametrize(
    ("seed", "student", "attempt"), [(0, "ada", 0), (2**63 - 1, 'Zoé "q" \\ é', 5), (7, "日本", 1999)]
)
def test_the_state_is_the_sha256_of_python_s_canonical_json(seed: int, student: str, attempt: int) -> None:
    template = AssignmentTemplate((3, 2, 1), ("sigmoid", "sigmoid"), bias=True)
    payload = {"attempt": attempt, "seed": seed, "student": student, "template": template.canonical()}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    assert assignments.problem_state(seed, template, student, attempt) == expected


def test_a_caller_s_budget_stops_the_attempts_without_changing_the_problem() -> None:
    template = AssignmentTemplate((12, 2, 1), ("sigmoid", "sigmoid"))  # some 100 attempts: ∂L/∂W_1 has 24 entries
    problem = assigned_problem(3, template, "ada")
    assert problem is not None
    assert problem.attempt > 0
    assert assigned_problem(3, template, "ada", max_attempts=problem.attempt) is None
    again = assigned_problem(3, template, "ada", max_attempts=problem.attempt + 1)
    assert again is not None
    assert same(again, problem)
