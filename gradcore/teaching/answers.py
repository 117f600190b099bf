"""A learner's partial answer: any of the quantities of a forward and backward pass, and their shapes.

The names are those of the gradients answer: ``loss`` (L), ``output`` (ŷ) and, per layer k,
``pre_activation`` (z_k), ``activation`` (l_k), ``delta`` (Δ_k), ``weights_gradient`` (∂L/∂W_k) and
``bias_gradient`` (∂L/∂b_k). A quantity that is None was not answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.errors import Location, Problem
from gradcore.core.types import Array, Layer, describe
from gradcore.teaching.judging import WrongEntry

FIELDS = ("pre_activation", "activation", "delta", "weights_gradient", "bias_gradient")
"""The per-layer quantities, in the order of their JSON fields."""


@dataclass(frozen=True)
class LayerAnswer:
    """What a learner answered for layer k; None where they did not.

    Attributes
    ----------
    pre_activation, activation, delta : ndarray, shape (m, n_k), or None
        z_k, l_k and Δ_k.
    weights_gradient : ndarray, shape (n_{k−1}, n_k) or its transpose, or None
        ∂L/∂W_k.
    bias_gradient : ndarray, shape (n_k,), or None
        ∂L/∂b_k.
    """

    pre_activation: Array | None = None
    activation: Array | None = None
    delta: Array | None = None
    weights_gradient: Array | None = None
    bias_gradient: Array | None = None


@dataclass(frozen=True)
class Answer:
    """A learner's partial answer.

    Attributes
    ----------
    loss : ndarray, shape (), or None
        L.
    output : ndarray, shape (m, n_L), or None
        ŷ.
    layers : tuple of LayerAnswer
        Layers 1 … k (k ≤ L); the layers after the last one given are not answered.
    """

    loss: Array | None = None
    output: Array | None = None
    layers: tuple[LayerAnswer, ...] = ()

    def layer(self, k: int) -> LayerAnswer:
        """Layer k's answer (from 0), empty if not given."""
        return self.layers[k] if k < len(self.layers) else LayerAnswer()


def symbol(kind: str, k: int | None) -> str:
    """The seed's name of a quantity: ``z_1``, ``l_1``, ``ŷ``, ``L``, ``Δ_2``, ``∂L/∂W_2``, ``∂L/∂b_2`` (k from 1)."""
    names = {
        "loss": "L",
        "output": "ŷ",
        "pre_activation": "z_{k}",
        "activation": "l_{k}",
        "delta": "Δ_{k}",
        "weights_gradient": "∂L/∂W_{k}",
        "bias_gradient": "∂L/∂b_{k}",
    }
    return names[kind].format(k=k)


def _expected_shape(layers: Sequence[Layer], m: int, kind: str, k: int) -> tuple[int, ...]:
    rows, cols = layers[k].W.shape
    if kind == "weights_gradient":
        return (rows, cols)
    return (cols,) if kind == "bias_gradient" else (m, cols)


def answer_problems(layers: Sequence[Layer], X: Array, answer: Answer, root: Location = ()) -> list[Problem]:
    """List what is wrong with the shapes and numbers of an answer to the network ``layers`` on X.

    Parameters
    ----------
    layers : sequence of Layer
        A valid network.
    X : ndarray, shape (m, n_0)
        The inputs.
    answer : Answer
        The answer; z_k, l_k, Δ_k and ŷ are m × n_k (or the transpose), ∂L/∂W_k n_{k−1} × n_k (or the
        transpose), ∂L/∂b_k n_k numbers (for a layer with a bias), L a number.
    root : tuple of str and int
        Where the answer sits, prefixed to every location (e.g. ``("claimed",)``).

    Returns
    -------
    list of Problem
        Located at ``(*root, "layers", k, field)`` (k from 0), ``(*root, "output")`` or ``(*root, "loss")``,
        each message naming the quantity in the seed's notation and the shapes.
    """
    L, m = len(layers), X.shape[0]
    problems = []
    if len(answer.layers) > L:
        problems.append(
            Problem((*root, "layers"), f"the network has {L} layers, but the answer has {len(answer.layers)}")
        )
    if answer.loss is not None and answer.loss.size != 1:
        problems.append(Problem((*root, "loss"), f"L is a number, not {describe(answer.loss.shape)} numbers"))
    rows = " (m × n_L: one row per example)"
    items: list[tuple[Location, str, Array | None, tuple[int, ...], str]] = [
        ((*root, "output"), "ŷ", answer.output, (m, layers[-1].W.shape[1]), rows)
    ]
    for k, given in enumerate(answer.layers[:L]):
        for kind in FIELDS:
            value = getattr(given, kind)
            if kind == "bias_gradient" and value is not None and layers[k].b is None:
                message = f"layer {k + 1} has no bias b_{k + 1}, so there is no ∂L/∂b_{k + 1} to answer: leave it out"
                problems.append(Problem((*root, "layers", k, kind), message))
                continue
            shape = _expected_shape(layers, m, kind, k)
            why = {
                "weights_gradient": f" (n_{k} × n_{k + 1}, the shape of W_{k + 1})",
                "bias_gradient": f" (n_{k + 1} numbers, like b_{k + 1})",
            }.get(kind, f" (m × n_{k + 1}: one row per example)")
            items.append(((*root, "layers", k, kind), symbol(kind, k + 1), value, shape, why))
    for where, name, value, shape, why in items:
        if value is None:
            continue
        if not np.isfinite(value).all():
            problems.append(Problem(where, f"{name} holds a number that is not finite"))
        elif value.shape != shape and not (len(shape) == 2 and value.shape == shape[::-1]):
            problems.append(Problem(where, f"{name} is {describe(value.shape)} but must be {describe(shape)}{why}"))
    return problems


def as_answer_matrix(value: Array | None, m: int) -> Array | None:
    """Read a number as 1 × 1 and, for one example (m = 1), a flat list as one row; leave the rest as it is."""
    if value is None or value.ndim == 2:
        return value
    if value.ndim == 0:
        return value.reshape(1, 1)
    return value.reshape(1, -1) if m == 1 else value


Key = tuple[str, int]
"""A quantity: its field name and its layer k from 1 (0 for ``loss`` and ``output``)."""


@dataclass(frozen=True)
class Graded:
    """The grade of one quantity.

    Attributes
    ----------
    pointer : str
        The JSON pointer of the quantity in the answer: ``/loss``, ``/output``, ``/layers/1/delta`` (Δ_2).
    symbol : str
        Its name in the seed's notation: ``z_1``, ``ŷ``, ``L``, ``Δ_2``, ``∂L/∂W_1``.
    verdict : str
        ``correct``, ``sign_flipped``, ``transposed``, ``missing_activation_derivative``, ``scaled``,
        ``incorrect``, or ``unanswered``.
    mistakes : tuple of str
        The usual mistakes found (:data:`gradcore.teaching.combined.MISTAKES`); empty when correct.
    hint : str
        What the verdict means, in the seed's notation.
    expected : ndarray
        The true value T.
    carried_forward : bool
        The claim is right given the learner's own earlier wrong answers, and not right against T.
    wrong : tuple of WrongEntry
        The wrong entries (against K when the earlier answers were wrong), the first 20.
    wrong_count : int
        How many entries are wrong in all.
    rounded_to : int or None
        The significant digits to which the claim is its reference rounded (None: by tolerance).
    """

    pointer: str
    symbol: str
    verdict: str
    mistakes: tuple[str, ...]
    hint: str
    expected: Array
    carried_forward: bool = False
    wrong: tuple[WrongEntry, ...] = ()
    wrong_count: int = 0
    rounded_to: int | None = None


def order(layers: Sequence[Layer]) -> list[Key]:
    """Every quantity of a pass over ``layers``, in the order of the computation (see the module docstring).

    ŷ = l_L is one quantity, ``("output", 0)``: the last layer's ``activation`` is not listed again.
    """
    L = len(layers)
    keys: list[Key] = [(kind, k) for k in range(1, L + 1) for kind in ("pre_activation", "activation")][:-1]
    keys += [("output", 0), ("loss", 0), *(("delta", k) for k in range(L, 0, -1))]
    for k in range(1, L + 1):
        keys.append(("weights_gradient", k))
        if layers[k - 1].b is not None:
            keys.append(("bias_gradient", k))
    return keys


def pointer(key: Key) -> str:
    """The JSON pointer of a quantity in an answer, e.g. ``/layers/1/delta`` for Δ_2."""
    kind, k = key
    return f"/{kind}" if k == 0 else f"/layers/{k - 1}/{kind}"


def claimed(answer: Answer, key: Key) -> Array | None:
    """The learner's value of a quantity, or None."""
    kind, k = key
    if k == 0:
        return answer.loss if kind == "loss" else answer.output
    value: Array | None = getattr(answer.layer(k - 1), kind)
    return value
