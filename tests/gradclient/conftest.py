"""The seed's formulas, written out independently of gradcore, to test the client's answers against."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

Array = NDArray[np.float64]


def sigmoid(u: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-u))


@dataclass
class TwoLayers:
    """X (m × n_0) → sigmoid layer W_1 (n_0 × h) + b_1 → sigmoid layer W_2 (h × n_2), L = Σ ½ (y − ŷ)²."""

    X: Array
    W1: Array
    b1: Array
    W2: Array
    Y: Array

    def __post_init__(self) -> None:
        self.z1 = self.X @ self.W1 + self.b1
        self.l1 = sigmoid(self.z1)
        self.z2 = self.l1 @ self.W2
        self.y_hat = sigmoid(self.z2)
        self.loss = float(np.sum(0.5 * (self.Y - self.y_hat) ** 2))
        self.delta2 = (self.y_hat - self.Y) * self.y_hat * (1 - self.y_hat)
        self.delta1 = (self.delta2 @ self.W2.T) * self.l1 * (1 - self.l1)
        self.dW2 = self.l1.T @ self.delta2
        self.dW1 = self.X.T @ self.delta1
        self.db1 = self.delta1.sum(axis=0)

    @property
    def network(self) -> list[dict[str, object]]:
        """The network as the client takes it: numpy arrays in layer mappings."""
        return [{"weights": self.W1, "bias": self.b1}, {"weights": self.W2, "activation": "sigmoid"}]


@pytest.fixture
def batch() -> TwoLayers:
    """The seed's case 6 shape: a batch of m = 4 examples through 3 → 2 → 1, with a bias on layer 1."""
    rng = np.random.default_rng(7)
    return TwoLayers(
        X=rng.normal(size=(4, 3)),
        W1=rng.normal(size=(3, 2)),
        b1=rng.normal(size=2),
        W2=rng.normal(size=(2, 1)),
        Y=rng.uniform(size=(4, 1)),
    )
