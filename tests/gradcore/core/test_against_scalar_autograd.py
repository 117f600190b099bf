"""gradcore against an independent reverse-mode autograd engine on scalars.

The engine below is micrograd's idea in a few lines: every scalar remembers
how it was made, and ``backward`` applies the chain rule in reverse
topological order. It shares no code and no formula with gradcore's matrix
backpropagation, so agreement to 1e-12 checks the matrix formulas exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import gradcore


class Value:
    """A scalar that records the operation that produced it."""

    def __init__(self, data: float, parents: tuple[tuple[Value, float], ...] = ()) -> None:
        self.data, self.parents, self.grad = data, parents, 0.0

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, ((self, other.data), (other, self.data)))

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + -other

    def apply(self, f: float, df: float) -> Value:
        """A unary function with value f and derivative df at self."""
        return Value(f, ((self, df),))

    def backward(self) -> None:
        order: list[Value] = []
        seen: set[int] = set()

        def visit(node: Value) -> None:
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


def _sigmoid(v: Value) -> Value:
    s = 1.0 / (1.0 + math.exp(-v.data))
    return v.apply(s, s * (1.0 - s))


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": _sigmoid,
    "tanh": lambda v: v.apply(math.tanh(v.data), 1.0 - math.tanh(v.data) ** 2),
    "relu": lambda v: v.apply(max(v.data, 0.0), 1.0 if v.data > 0 else 0.0),
    "linear": lambda v: v,
}


def _loss(name: str, A: list[list[Value]], Y: np.ndarray) -> Value:
    terms: list[Value] = []
    N = Y.size
    for a_row, y_row in zip(A, Y, strict=True):
        for a, y in zip(a_row, y_row, strict=True):
            if name == "half_squared_error":
                terms.append((a - float(y)) * (a - float(y)) * 0.5)
            elif name == "mean_squared_error":
                terms.append((a - float(y)) * (a - float(y)) * (1.0 / N))
            else:  # binary cross-entropy, −[y log a + (1 − y) log(1 − a)] / N
                log_a = a.apply(math.log(a.data), 1.0 / a.data)
                log_1_a = a.apply(math.log(1.0 - a.data), -1.0 / (1.0 - a.data))
                terms.append((log_a * float(y) + log_1_a * (1.0 - float(y))) * (-1.0 / N))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@pytest.mark.parametrize("seed", range(12))
def test_gradients_equal_scalar_autograd(seed: int) -> None:
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    widths = [int(n) for n in rng.integers(1, 5, size=depth + 1)]
    m = int(rng.integers(1, 4))
    loss = ["half_squared_error", "mean_squared_error", "binary_cross_entropy"][seed % 3]
    names = list(ACTIVATIONS)
    activations = [names[int(i)] for i in rng.integers(0, len(names), size=depth)]
    if loss == "binary_cross_entropy":
        activations[-1] = "sigmoid"
    layers = [
        gradcore.Layer(
            W=rng.normal(size=(widths[k], widths[k + 1])),
            activation=activations[k],
            b=rng.normal(size=widths[k + 1]) if rng.random() < 0.5 else None,
        )
        for k in range(depth)
    ]
    X = rng.normal(size=(m, widths[0]))
    Y = rng.uniform(size=(m, widths[-1]))

    W = [[[Value(float(w)) for w in row] for row in layer.W] for layer in layers]
    b = [None if layer.b is None else [Value(float(v)) for v in layer.b] for layer in layers]
    A: list[list[Value]] = [[Value(float(x)) for x in row] for row in X]
    Z: list[list[Value]] = []
    for k, layer in enumerate(layers):
        Z = []
        for row in A:
            z_row = []
            for j in range(widths[k + 1]):
                z = Value(0.0) if b[k] is None else b[k][j]  # type: ignore[index]
                for i, a in enumerate(row):
                    z = z + a * W[k][i][j]
                z_row.append(z)
            Z.append(z_row)
        A = [[ACTIVATIONS[layer.activation](z) for z in z_row] for z_row in Z]
    L = _loss(loss, A, Y)
    L.backward()

    cache = gradcore.forward(layers, X)
    grads = gradcore.backward(layers, cache, Y, loss)
    assert grads.loss == pytest.approx(L.data, rel=1e-12)
    for k in range(depth):
        expected_dW = np.array([[w.grad for w in row] for row in W[k]])
        np.testing.assert_allclose(grads.dW[k], expected_dW, rtol=1e-10, atol=1e-14)
        if b[k] is not None:
            np.testing.assert_allclose(grads.db[k], [v.grad for v in b[k]], rtol=1e-10, atol=1e-14)  # type: ignore[arg-type, union-attr]
        else:
            assert grads.db[k] is None
