"""The usual mistakes of hand-derived backpropagation, as computations.

Forgetting an activation derivative (:func:`without_derivative`), and the
constant factors that a dropped ½ or a mean-versus-sum confusion put in front
of a gradient (:func:`usual_causes`). :mod:`gradcore.diagnose` compares a
claimed gradient with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gradcore.activations import Array
from gradcore.losses import LOSSES
from gradcore.network import Cache, Gradients, Layer, backward

DERIVATIVES = {
    "sigmoid": "σ′(z_{j}) = l_{j} * (1 − l_{j})",
    "tanh": "tanh′(z_{j}) = 1 − l_{j}²",
    "relu": "relu′(z_{j}) = [z_{j} > 0]",
    "softmax": "the softmax Jacobian of z_{j}",
}


def without_derivative(layers: Sequence[Layer], cache: Cache, Y: Array, name: str, j: int) -> Gradients | None:
    """The gradients recomputed with f′ ≡ 1 at layer j (from 0): the mistake of forgetting that factor.

    Returns None when that changes nothing: a linear layer, or the output layer of a loss
    (binary_cross_entropy, cross_entropy) whose Δ_L = (ŷ − y)/… has no f′_L factor to forget.
    """
    if layers[j].activation == "linear" or (j == len(layers) - 1 and LOSSES[name].requires is not None):
        return None
    forgetful = [*layers[:j], replace(layers[j], activation="linear"), *layers[j + 1 :]]
    return backward(forgetful, cache, Y, name)


def _counts(m: int, n_L: int) -> list[tuple[int, str]]:
    counts = [
        (m, f"the m = {m} examples"),
        (n_L, f"the n_L = {n_L} outputs"),
        (m * n_L, f"the m·n_L = {m * n_L} entries of ŷ"),
    ]
    unique: dict[int, str] = {}
    for N, label in counts:
        if N > 1:
            unique.setdefault(N, label)
    return list(unique.items())


def usual_causes(alpha: float, m: int, n_L: int, rtol: float) -> str:
    """Name the usual causes of a gradient off by the factor α: 2, ½, 1/m, m, … and their products."""
    halves = [
        (1.0, ""),
        (2.0, "the ½ of the loss dropped (the derivative of ½ (y − ŷ)² is ŷ − y, not 2 (ŷ − y))"),
        (0.5, "a ½ too many"),
    ]
    scales = [(1.0, "")]
    for N, label in _counts(m, n_L):
        scales += [
            (1.0 / N, f"a mean over {label} where the loss has a sum (1/{N})"),
            (float(N), f"a sum over {label} where the loss has a mean ({N})"),
        ]
    found = [
        " and ".join(text for text in (h_text, s_text) if text)
        for h, h_text in halves
        for s, s_text in scales
        if (h, s) != (1.0, 1.0) and abs(abs(alpha) - h * s) <= 10 * rtol * h * s
    ]
    sign = "the sign flipped and " if alpha < 0 else ""
    if not found:
        return f"{sign}a factor that none of the usual causes (2: a dropped ½; 1/m: a mean instead of a sum) explains"
    return sign + ", or ".join(found)


def forgotten(layers: Sequence[Layer], j: int) -> str:
    """Describe forgetting f′_j (j from 1) in the seed's notation."""
    L = len(layers)
    factor = DERIVATIVES[layers[j - 1].activation].format(j=j)
    if j == L:
        return f"Δ_{L} = ∂L/∂ŷ * f′_{L}(z_{L}) computed without its factor {factor}"
    return f"Δ_{j} = (Δ_{j + 1} · W_{j + 1}ᵀ) * f′_{j}(z_{j}) computed without its factor {factor}"
