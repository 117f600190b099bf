"""``assignments()`` and ``assignment_sheets()`` of both clients, in-process: typed problems, an exact key, sheets."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from gradclient import AssignmentsResult, AsyncGradientClient, GradientClient, GradientsResult
from service.app import create_app

APP = create_app()
STUDENTS = ["ada", "grace", "alan"]


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


class TwoLayers:
    """The seed's case 6 written out: X → σ(X · W1) → σ(l1 · W2), L = Σ ½ (y − ŷ)², and its backpropagation."""

    def __init__(self, X: np.ndarray, W1: np.ndarray, W2: np.ndarray, Y: np.ndarray) -> None:
        l1 = sigmoid(X @ W1)
        y_hat = sigmoid(l1 @ W2)
        self.loss = float(np.sum(0.5 * (Y - y_hat) ** 2))
        delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
        self.delta1 = (delta2 @ W2.T) * l1 * (1 - l1)
        self.dW2, self.dW1 = l1.T @ delta2, X.T @ self.delta1


@pytest.fixture
def client() -> Iterator[GradientClient]:
    with GradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as gradients:
        yield gradients


def test_the_sync_client_gets_a_problem_per_student_with_its_key(client: GradientClient) -> None:
    result = client.assignments(9, STUDENTS, [3, 2, 1], ["sigmoid", "sigmoid"], examples=2, decimals=2, key=True)
    assert isinstance(result, AssignmentsResult)
    assert [entry.student for entry in result.problems] == STUDENTS
    assert set(result.by_student()) == set(STUDENTS)
    for entry in result.problems:
        layers = entry.problem["network"]["layers"]
        seed = TwoLayers(
            X=np.array(entry.problem["inputs"]),
            W1=np.array(layers[0]["weights"]),
            W2=np.array(layers[1]["weights"]),
            Y=np.array(entry.problem["targets"]),
        )
        assert isinstance(entry.key, GradientsResult)
        assert entry.key.loss == pytest.approx(seed.loss, rel=1e-12)
        np.testing.assert_allclose(entry.key.layers[0].weights_gradient, seed.dW1, rtol=1e-12)
        np.testing.assert_allclose(entry.key.layers[1].weights_gradient, seed.dW2, rtol=1e-12)
        np.testing.assert_allclose(entry.key.layers[0].delta, seed.delta1, rtol=1e-12)


def test_without_key_the_problems_come_alone_and_the_same(client: GradientClient) -> None:
    keyed = client.assignments(9, STUDENTS, [3, 2, 1], ["sigmoid", "sigmoid"], examples=2, decimals=2, key=True)
    bare = client.assignments(9, STUDENTS[::-1], [3, 2, 1], ["sigmoid", "sigmoid"], examples=2, decimals=2)
    assert all(entry.key is None for entry in bare.problems)
    assert {e.student: e.problem for e in bare.problems} == {e.student: e.problem for e in keyed.problems}


def test_the_sheets_come_as_markdown(client: GradientClient) -> None:
    text = client.assignment_sheets(9, STUDENTS, [2, 2, 2], ["tanh", "softmax"], "cross_entropy", bias=True)
    assert text.count("# Backpropagation by hand: ") == len(STUDENTS)
    assert text.count("page-break-after") == len(STUDENTS) - 1
    assert "∂L/∂b_2 (2 entries)" in text


@pytest.mark.anyio
async def test_the_async_client_gives_the_same(anyio_backend: str) -> None:
    async with AsyncGradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as gradients:
        result = await gradients.assignments(9, STUDENTS, [3, 2, 1], ["sigmoid", "sigmoid"], examples=2, decimals=2)
        text = await gradients.assignment_sheets(9, STUDENTS[:1], [3, 2, 1], ["sigmoid", "sigmoid"])
    with GradientClient("http://testserver", transport=httpx.ASGITransport(app=APP)) as sync:
        expected = sync.assignments(9, STUDENTS, [3, 2, 1], ["sigmoid", "sigmoid"], examples=2, decimals=2)
    assert [e.problem for e in result.problems] == [e.problem for e in expected.problems]
    assert text.startswith("# Backpropagation by hand: ada")
