"""Independent oracles for the diagnosis tests: sigmoid networks and their gradients, written in numpy."""

from __future__ import annotations

import itertools

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


class DeepNet:
    """n_0 → n_1 → … → n_L sigmoid with biases, m examples, half squared error L = Σ ½ (y − ŷ)², in numpy.

    l_k = σ(l_{k−1} · W_k + b_k), Δ_L = (ŷ − y) * σ′_L, Δ_k = (Δ_{k+1} · W_{k+1}ᵀ) * σ′_k with σ′_k = l_k (1 − l_k);
    ∂L/∂W_k = l_{k−1}ᵀ · Δ_k and ∂L/∂b_k = Σ over the examples of Δ_k.
    """

    def __init__(self, seed: int = 0, sizes: tuple[int, ...] = (3, 4, 3, 2), m: int = 5) -> None:
        rng = np.random.default_rng(seed)
        self.W = [rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes)]
        self.b = [rng.normal(size=n) for n in sizes[1:]]
        self.X, self.Y = rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))
        self.layers = [Layer(W=W, b=b) for W, b in zip(self.W, self.b, strict=True)]
        self.activations = [self.X]  # l_0 = X, l_1, …, l_L = ŷ
        for W, b in zip(self.W, self.b, strict=True):
            self.activations.append(sig(self.activations[-1] @ W + b))

    def gradients(self, forgotten: frozenset[int] = frozenset()) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(∂L/∂W_k, ∂L/∂b_k for k = 1 … L), with σ′_j ≡ 1 at every layer j (from 1) in ``forgotten``."""
        L, acts = len(self.W), self.activations

        def derivative(j: int) -> np.ndarray | float:
            return 1.0 if j in forgotten else acts[j] * (1 - acts[j])

        delta = (acts[L] - self.Y) * derivative(L)
        dW, db = [np.empty(0)] * L, [np.empty(0)] * L
        for k in range(L, 0, -1):
            dW[k - 1], db[k - 1] = acts[k - 1].T @ delta, delta.sum(axis=0)
            if k > 1:
                delta = (delta @ self.W[k - 1].T) * derivative(k - 1)
        return dW, db
