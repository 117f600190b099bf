"""An independent oracle for the diagnosis tests: a two-layer sigmoid network and its gradients, written in numpy."""

from __future__ import annotations

import numpy as np

from gradcore import Layer


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


class SigmoidNet:
    """n_0 → n_1 → n_2 sigmoid, m examples, half squared error: true gradients and usual mistakes, in numpy."""

    def __init__(self, seed: int = 0, sizes: tuple[int, int, int] = (3, 4, 2), m: int = 5) -> None:
        rng = np.random.default_rng(seed)
        n0, n1, n2 = sizes
        self.m = m
        self.W1, self.W2 = rng.normal(size=(n0, n1)), rng.normal(size=(n1, n2))
        self.X, self.Y = rng.normal(size=(m, n0)), rng.uniform(size=(m, n2))
        self.layers = [Layer(W=self.W1), Layer(W=self.W2)]
        self.l1 = sig(self.X @ self.W1)
        self.y_hat = sig(self.l1 @ self.W2)

    def gradients(self, output_derivative: bool = True, hidden_derivative: bool = True) -> list[np.ndarray]:
        """∂L/∂W_1, ∂L/∂W_2 by the series' formulas; without σ′ at the output or hidden layer when asked."""
        y_hat, l1 = self.y_hat, self.l1
        delta2 = (y_hat - self.Y) * (y_hat * (1 - y_hat) if output_derivative else 1.0)
        delta1 = (delta2 @ self.W2.T) * (l1 * (1 - l1) if hidden_derivative else 1.0)
        return [self.X.T @ delta1, l1.T @ delta2]
