"""Plain (full-batch) gradient descent.

Every step runs :func:`forward` and :func:`backward` on the whole batch and
moves every weight against its gradient, as in the seed notes:

    W_k ← W_k − η ∂L/∂W_k,    b_k ← b_k − η ∂L/∂b_k.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from gradcore.core.errors import NonFiniteError, ParameterError, Problem
from gradcore.core.network import unchecked_backward, unchecked_forward, unchecked_loss
from gradcore.core.shapes import all_finite, raise_if_problems, shape_problems
from gradcore.core.types import Array, Layer


@dataclass(frozen=True)
class Training:
    """The result of :func:`gradient_descent`.

    Attributes
    ----------
    layers : tuple of Layer
        The network after the last step, same shapes as the one given.
    loss_history : tuple of float
        ``steps + 1`` values: ``loss_history[t]`` is the loss after t steps,
        so ``loss_history[0]`` is the loss of the initial network and
        ``loss_history[-1]`` that of the final one.
    output : ndarray, shape (m, n_L)
        The final network's prediction ŷ.
    """

    layers: tuple[Layer, ...]
    loss_history: tuple[float, ...]
    output: Array


def _own_copy(layer: Layer) -> Layer:
    """The layer with float64 copies of W_k and b_k, that descent may update in place."""
    b = None if layer.b is None else np.array(layer.b, dtype=np.float64)
    return replace(layer, W=np.array(layer.W, dtype=np.float64), b=b)


def _descend(layer: Layer, dW: Array, db: Array | None, learning_rate: float) -> None:
    """W_k ← W_k − η ∂L/∂W_k and b_k ← b_k − η ∂L/∂b_k, in place; ∂L/∂W_k and ∂L/∂b_k are overwritten with η times
    themselves (the numbers of ``W - η * dW``, without the two new arrays)."""
    np.subtract(layer.W, np.multiply(dW, learning_rate, out=dW), out=layer.W)
    if layer.b is not None and db is not None:
        np.subtract(layer.b, np.multiply(db, learning_rate, out=db), out=layer.b)


def _weights(layers: Sequence[Layer]) -> list[Array]:
    return [w for layer in layers for w in (layer.W, layer.b) if w is not None]


def _diverged(step: int, cause: str) -> NonFiniteError:
    return NonFiniteError(
        [
            Problem(
                ("learning_rate",),
                f"gradient descent diverged at step {step}: {cause}; try a smaller learning rate",
            )
        ]
    )


def gradient_descent(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    name: str = "half_squared_error",
    learning_rate: float = 0.5,
    steps: int = 100,
) -> Training:
    """Train a network by gradient descent on the whole batch.

    Parameters
    ----------
    layers : sequence of Layer
        The initial network, W_1 (n_0 × n_1) first; it is not modified.
    X : ndarray, shape (m, n_0)
        The inputs, one example per row.
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.
    learning_rate : float
        η > 0, finite.
    steps : int
        The number of descent steps, ≥ 0.

    Returns
    -------
    Training
        The final network, the ``steps + 1`` losses and the final ŷ.

    Raises
    ------
    ParameterError
        If η is not finite and positive or ``steps`` is negative.
    ShapeError
        If the network, X, Y and the loss do not fit together.
    NonFiniteError
        If the initial network overflows float64 (located at the layer), or
        if descent diverges (located at ``learning_rate``).
    """
    problems = []
    if not (math.isfinite(learning_rate) and learning_rate > 0.0):
        problems.append(Problem(("learning_rate",), f"the learning rate η must be finite and > 0, not {learning_rate}"))
    if steps < 0:
        problems.append(Problem(("steps",), f"the number of steps must be ≥ 0, not {steps}"))
    if problems:
        raise ParameterError(problems)
    raise_if_problems(shape_problems(layers, X, Y, name))
    current = tuple(_own_copy(layer) for layer in layers)  # updated in place, step after step
    history: list[float] = []
    for step in range(steps + 1):
        try:
            # The shapes were checked above and descent does not change them.
            cache = unchecked_forward(current, X)
            if step == steps:
                history.append(unchecked_loss(cache, Y, name))
                break
            grads = unchecked_backward(current, cache, Y, name)
        except NonFiniteError as error:
            if step == 0:
                raise
            raise _diverged(step, str(error)) from error
        history.append(grads.loss)
        with np.errstate(over="ignore", invalid="ignore"):
            for layer, dW, db in zip(current, grads.dW, grads.db, strict=True):
                _descend(layer, dW, db, learning_rate)
            finite = all_finite(_weights(current))
        if not finite and not all(np.isfinite(w).all() for w in _weights(current)):
            raise _diverged(step + 1, "a weight overflows float64")
    return Training(layers=current, loss_history=tuple(history), output=cache.output)
