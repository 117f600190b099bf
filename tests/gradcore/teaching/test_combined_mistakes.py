"""The diagnosis of combined mistakes, measured on a generated corpus.

Each case is a random sigmoid network (2 or 3 layers, m ≥ 3 examples, n_L ≥ 2 outputs) and a claim of
∂L/∂W_k built here in numpy from the seed's formulas, with one or two of the usual mistakes injected:
the sign, the transpose, σ′ left out at one or more layers j ≥ k, the ½ or 1/m scale, one wrong entry,
rounding to 1 significant digit. Every other claim is written to 4 significant digits. The diagnosis
must name exactly the injected mistakes (recall ≥ 95 %), and must call every correct claim rounded to
2–6 significant digits correct, with no mistake.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradcore import Layer, diagnose
from gradcore.teaching.combined import MISTAKES

PAIRS = [(name,) for name in MISTAKES] + list(itertools.combinations(MISTAKES, 2))


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def rounded(A: np.ndarray, d: int) -> np.ndarray:
    """A rounded to d significant digits, entry by entry."""
    exponent = np.floor(np.log10(np.where(A == 0.0, 1.0, np.abs(A))))
    unit = 10.0 ** (exponent - d + 1)
    result: np.ndarray = np.round(A / unit) * unit
    return result


class Net:
    """A sigmoid network, half squared error, its gradients by the seed's formulas in numpy."""

    def __init__(self, rng: np.random.Generator, depth: int, square: bool) -> None:
        sizes = [int(n) for n in rng.integers(2, 5, size=depth + 1)]
        sizes[-1] = max(sizes[-1], 2)
        if square:
            sizes[1] = sizes[0]
        self.sizes, self.m = sizes, int(rng.integers(3, 6))
        self.W = [rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes)]
        self.X = rng.normal(size=(self.m, sizes[0]))
        self.Y = rng.uniform(size=(self.m, sizes[-1]))

    def gradients(self, forgotten: frozenset[int] = frozenset()) -> list[np.ndarray]:
        """∂L/∂W_k, with σ′_j ≡ 1 at the layers j (from 1) in ``forgotten``."""
        ls = [self.X]
        for W in self.W:
            ls.append(sig(ls[-1] @ W))
        L = len(self.W)
        delta = (ls[-1] - self.Y) * (1.0 if L in forgotten else ls[-1] * (1 - ls[-1]))
        grads = [np.empty(0)] * L
        for k in range(L, 0, -1):
            grads[k - 1] = ls[k - 1].T @ delta
            if k > 1:
                delta = (delta @ self.W[k - 1].T) * (1.0 if k - 1 in forgotten else ls[k - 1] * (1 - ls[k - 1]))
        return grads

    @property
    def layers(self) -> list[Layer]:
        return [Layer(W=W) for W in self.W]


def inject(net: Net, k: int, mistakes: tuple[str, ...], rng: np.random.Generator) -> np.ndarray:
    """The claim of ∂L/∂W_k (k from 1) with ``mistakes``, written to 4 digits (1 for ``rounded_to_1_digit``)."""
    L = len(net.W)
    forgotten: frozenset[int] = frozenset()
    if "missing_activation_derivative" in mistakes:
        layers = list(range(k, L + 1))
        size = int(rng.integers(1, len(layers) + 1))
        forgotten = frozenset(int(j) for j in rng.choice(layers, size=size, replace=False))
    C = net.gradients(forgotten)[k - 1]
    if "transposed" in mistakes:
        C = C.T
    if "sign_flipped" in mistakes:
        C = -C
    if "scaled" in mistakes:
        C = C * float(rng.choice([2.0, 0.5, 1.0 / net.m]))
    digits = 1 if "rounded_to_1_digit" in mistakes else 4
    C = rounded(C, digits)
    if "one_wrong_entry" in mistakes:
        i = tuple(int(rng.integers(0, n)) for n in C.shape)
        C[i] = rounded(np.array(C[i] + float(rng.choice([-1, 1])) * (0.6 + rng.uniform()) * np.max(np.abs(C))), digits)
    return C


def cases(count: int) -> list[tuple[Net, int, tuple[str, ...], np.ndarray]]:
    rng = np.random.default_rng(2027)
    found = []
    while len(found) < count:
        mistakes = PAIRS[len(found) % len(PAIRS)]
        net = Net(rng, depth=int(rng.integers(2, 4)), square=bool(rng.integers(0, 2)))
        k = int(rng.integers(1, len(net.W) + 1))
        T = net.gradients()[k - 1]
        if "one_wrong_entry" in mistakes and T.size < 3:
            continue
        found.append((net, k, mistakes, inject(net, k, mistakes, rng)))
    return found


CORPUS = cases(21 * 20)


def test_combined_mistakes_are_named_with_a_recall_of_at_least_95_percent() -> None:
    misses = []
    for net, k, mistakes, claim in CORPUS:
        claims = [claim if j == k - 1 else T for j, T in enumerate(net.gradients())]
        weights, _ = diagnose(net.layers, net.X, net.Y, claims)
        if weights[k - 1].mistakes != mistakes:
            misses.append((mistakes, weights[k - 1].mistakes))
    recall = 1 - len(misses) / len(CORPUS)
    assert recall >= 0.95, f"recall {recall:.3f}; first misses: {misses[:10]}"


@pytest.mark.parametrize("mistakes", PAIRS, ids=["+".join(pair) for pair in PAIRS])
def test_every_combination_is_found_in_most_cases(mistakes: tuple[str, ...]) -> None:
    chosen = [case for case in CORPUS if case[2] == mistakes]
    hits = 0
    for net, k, _, claim in chosen:
        claims = [claim if j == k - 1 else T for j, T in enumerate(net.gradients())]
        weights, _ = diagnose(net.layers, net.X, net.Y, claims)
        hits += weights[k - 1].mistakes == mistakes
    assert hits >= 0.8 * len(chosen)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_no_false_diagnosis_on_correct_claims_rounded_to_2_to_6_digits(d: int) -> None:
    rng = np.random.default_rng(d)
    for _ in range(60):
        net = Net(rng, depth=int(rng.integers(2, 4)), square=bool(rng.integers(0, 2)))
        weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(T, d) for T in net.gradients()])
        assert [(w.verdict, w.mistakes) for w in weights] == [("correct", ())] * len(weights)


def test_the_issues_examples() -> None:
    """σ′ forgotten in both layers; sign and missing σ′; sign and transpose; rounding to 1 digit."""
    rng = np.random.default_rng(5)
    net = Net(rng, depth=2, square=True)
    T = net.gradients()
    both = net.gradients(frozenset({1, 2}))
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(both[0], 4), rounded(both[1], 4)])
    assert weights[0].mistakes == ("missing_activation_derivative",)
    assert weights[0].missing_at_layers == (2, 1)
    assert weights[1].missing_at_layer == 2
    no_output = net.gradients(frozenset({2}))
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(-no_output[0], 4), rounded(-T[1].T, 4)])
    assert weights[0].mistakes == ("sign_flipped", "missing_activation_derivative")
    assert weights[0].verdict == "sign_flipped"
    assert weights[1].mistakes == ("sign_flipped", "transposed")
    weights, _ = diagnose(net.layers, net.X, net.Y, [rounded(T[0], 1), T[1]])
    assert (weights[0].verdict, weights[0].mistakes) == ("incorrect", ("rounded_to_1_digit",))
    assert "rounded to 1 significant digit" in weights[0].hint
