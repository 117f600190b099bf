"""Dimension and value checks, in the notation of the seed notes.

:func:`shape_problems` lists everything wrong with a network and its data
without computing anything; :mod:`gradcore.core.network` raises
:class:`~gradcore.core.errors.ShapeError` from it, and a caller that validates
its own input (such as the HTTP service) can report the same problems.

Activation and loss pairs: ``softmax`` only in the last layer and over at
least 2 outputs; ``cross_entropy`` only after a softmax last layer, with
targets that are probability rows (y ≥ 0, each row summing to 1);
``binary_cross_entropy`` only after a sigmoid last layer, with targets in
[0, 1]. The squared errors fit every last activation, softmax included
(their Δ_L goes through the softmax Jacobian).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.errors import Location, NonFiniteError, Problem, ShapeError
from gradcore.core.losses import LOSSES
from gradcore.core.types import Array, Layer, describe


def _matrix_problems(a: Array, location: Location, name: str, check_finite: bool = True) -> list[Problem]:
    if a.ndim != 2:
        return [Problem(location, f"{name} must be a matrix (2-D) but is {describe(a.shape)}")]
    if a.size == 0:
        return [
            Problem(
                location,
                f"{name} is empty ({describe(a.shape)}): every matrix needs at least one row and one column",
            )
        ]
    if check_finite and not np.isfinite(a).all():
        return [Problem(location, f"{name} contains a number that is not finite (NaN or ±infinity)")]
    return []


def shape_problems(
    layers: Sequence[Layer], X: Array, Y: Array | None = None, loss: str | None = None, *, check_finite: bool = True
) -> list[Problem]:
    """List what is wrong with a network, its inputs and its targets.

    Parameters
    ----------
    layers : sequence of Layer
        W_k must be n_{k−1} × n_k, b_k must have n_k entries.
    X : ndarray
        Must be m × n_0.
    Y : ndarray, optional
        Must be m × n_L, the shape of the output ŷ.
    loss : str, optional
        A key of :data:`gradcore.LOSSES` that fits the last activation.
    check_finite : bool, default True
        Whether to look for NaN and ±infinity in X, Y, W_k and b_k; ``False`` for arrays already checked
        (as the service's validators check every number).

    Returns
    -------
    list of Problem
        Empty when everything fits. Locations are ``("inputs",)``,
        ``("targets",)``, ``("loss",)`` or ``("layers", k, field)`` with a
        0-based k; messages count layers from 1.
    """
    if not layers:
        return [Problem(("layers",), "the network needs at least one layer")]
    x_problems = _matrix_problems(X, ("inputs",), "the inputs X", check_finite)
    problems = list(x_problems)
    n_prev = X.shape[1] if not x_problems else None
    source = "the inputs have"
    for k, layer in enumerate(layers, start=1):
        where = ("layers", k - 1)
        found = _matrix_problems(layer.W, (*where, "weights"), f"layer {k} weights W_{k}", check_finite)
        if not found and n_prev is not None and layer.W.shape[0] != n_prev:
            rows, cols = layer.W.shape
            found.append(
                Problem(
                    (*where, "weights"),
                    f"layer {k} weights W_{k} are {rows} × {cols} but {source} {n_prev} columns: "
                    f"expected {n_prev} × n_{k} (W_{k} is n_{k - 1} × n_{k})",
                )
            )
        if layer.activation not in ACTIVATIONS:
            names = ", ".join(ACTIVATIONS)
            found.append(
                Problem((*where, "activation"), f"layer {k} activation {layer.activation!r} is not one of {names}")
            )
        elif layer.activation == "softmax":
            found += _softmax_problems(layer, k, len(layers))
        if layer.b is not None and layer.W.ndim == 2:
            n_k = layer.W.shape[1]
            if layer.b.shape != (n_k,):
                found.append(
                    Problem(
                        (*where, "bias"),
                        f"layer {k} bias b_{k} has shape {describe(layer.b.shape)} but W_{k} is "
                        f"{describe(layer.W.shape)}: expected {n_k} entries (n_{k})",
                    )
                )
            elif check_finite and not np.isfinite(layer.b).all():
                found.append(Problem((*where, "bias"), f"layer {k} bias b_{k} contains a number that is not finite"))
        problems += found
        n_prev = layer.W.shape[1] if layer.W.ndim == 2 else None
        source = f"layer {k} outputs"
    if problems:
        # Matrices written the other way round explain the shape problems in one message, not a cascade.
        layout = [] if x_problems else _layout_problems(layers, X)
        return layout or problems
    if loss is not None:
        problems += _loss_problems(layers, loss, Y)
    if Y is not None:
        m, n_L = X.shape[0], layers[-1].W.shape[1]
        found = _matrix_problems(Y, ("targets",), "the targets Y", check_finite)
        if not found and Y.shape != (m, n_L):
            found.append(
                Problem(
                    ("targets",),
                    f"the targets Y are {describe(Y.shape)} but the output ŷ is {m} × {n_L} (m × n_L): "
                    f"expected {m} × {n_L}",
                )
            )
        if not found and loss == "binary_cross_entropy" and ((Y < 0) | (Y > 1)).any():
            found.append(Problem(("targets",), "binary_cross_entropy needs every target y in [0, 1]"))
        if not found and loss == "cross_entropy":
            found += _probability_rows_problems(Y)
        problems += found
    return problems


def _chain(layers: Sequence[Layer], n_0: int) -> tuple[list[int], int] | None:
    """The layers (from 0) whose W_kᵀ, not W_k, chains from n_0 inputs, and n_L; None when neither chains."""
    transposed, n_prev = [], n_0
    for k, layer in enumerate(layers):
        rows, cols = layer.W.shape
        if rows == n_prev:
            n_prev = cols
        elif cols == n_prev:
            transposed.append(k)
            n_prev = rows
        else:
            return None
    return transposed, n_prev


def _layout_problems(layers: Sequence[Layer], X: Array) -> list[Problem]:
    """One problem when the matrices are written the other way round: W_k as n_k × n_{k−1}, or X as n_0 × m.

    Only when every W_k is a valid matrix and the transposes chain where the matrices as given do not, so
    that one mistake gives one message instead of a cascade of shape errors.
    """
    if any(layer.W.ndim != 2 or _matrix_problems(layer.W, (), "") for layer in layers):
        return []
    as_given = _chain(layers, X.shape[1])
    if as_given is not None and as_given[0]:
        first, *others = as_given[0]
        rows, cols = layers[first].W.shape
        k = first + 1
        source = "the inputs have" if first == 0 else f"layer {first} outputs"
        more = f"; so do {', '.join(f'W_{j + 1}ᵀ' for j in others)}" if others else ""
        return [
            Problem(
                ("layers", first, "weights"),
                f"W_{k} looks transposed: this service takes W_k as n_{{k−1}} × n_k (inputs × outputs). "
                f"W_{k} is {rows} × {cols} but {source} {cols} columns, and W_{k}ᵀ ({cols} × {rows}) fits{more}: "
                f"transpose {'them' if others else 'it'} (PyTorch's nn.Linear keeps its weight as outputs × inputs)",
            )
        ]
    m, n_0 = X.shape
    flipped = _chain(layers, m) if as_given is None and m != n_0 else None
    if flipped is not None and not flipped[0]:
        example = "[[" + ", ".join(f"{x:g}" for x in X[:, 0][:4]) + (", …" if m > 4 else "") + "]]"
        how = f": write {example}" if n_0 == 1 else ""
        return [
            Problem(
                ("inputs",),
                f"inputs are one example per row: X is {m} × {n_0} but W_1 takes n_0 = {m} inputs, so X looks "
                f"transposed; Xᵀ ({n_0} × {m}) fits{how}",
            )
        ]
    return []


def _loss_problems(layers: Sequence[Layer], loss: str, Y: Array | None) -> list[Problem]:
    if loss not in LOSSES:
        return [Problem(("loss",), f"loss {loss!r} is not one of {', '.join(LOSSES)}")]
    required = LOSSES[loss].requires
    last = layers[-1].activation
    if required is not None and last != required:
        L = len(layers)
        return [
            Problem(
                ("layers", L - 1, "activation"),
                f"loss {loss} needs a {required} last layer but layer {L} activation is {last}",
            )
        ]
    return []


def _softmax_problems(layer: Layer, k: int, L: int) -> list[Problem]:
    """Softmax normalises a row of z_L into probabilities: only in the last layer, over at least 2 outputs."""
    where = ("layers", k - 1, "activation")
    if k != L:
        return [
            Problem(
                where,
                f"layer {k} activation softmax is allowed only in the last layer (layer {L}), where it turns each "
                f"row of z_{L} into probabilities ŷ; hidden layers take sigmoid, tanh, relu or linear",
            )
        ]
    if layer.W.ndim == 2 and layer.W.shape[1] == 1:
        return [
            Problem(
                where,
                f"layer {k} activation softmax over n_{k} = 1 output is always 1 and has zero gradient: "
                f"W_{k} needs at least 2 columns (or use sigmoid for one output)",
            )
        ]
    return []


PROBABILITY_ROW_TOLERANCE = 1e-6
"""How far from 1 a row of cross_entropy targets may sum: |Σ_c y_ic − 1| ≤ 1e-6."""


def _probability_rows_problems(Y: Array) -> list[Problem]:
    """cross_entropy targets: every y_ic ≥ 0 and every row sums to 1 (probabilities, one-hot included)."""
    negative = np.argwhere(Y < 0)
    if negative.size:
        i, c = negative[0]
        return [Problem(("targets",), f"cross_entropy needs targets y ≥ 0 (probabilities) but y[{i}, {c}] < 0")]
    sums = Y.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > PROBABILITY_ROW_TOLERANCE)
    if off.size:
        i = off[0]
        return [
            Problem(
                ("targets",),
                f"cross_entropy needs every row of the targets Y to sum to 1 (probabilities or one-hot) "
                f"but row {i} sums to {sums[i]:.6g}",
            )
        ]
    return []


def raise_if_problems(problems: list[Problem]) -> None:
    """Raise :class:`ShapeError` if ``problems`` is not empty."""
    if problems:
        raise ShapeError(problems)


def non_finite_error(location: Location, name: str) -> NonFiniteError:
    """The :class:`NonFiniteError` for a result ``name`` at ``location`` that overflowed float64."""
    return NonFiniteError(
        [
            Problem(
                location,
                f"{name} overflows float64 (it would contain NaN or ±infinity): "
                "the weights or inputs are too large for this network",
            )
        ]
    )


def raise_if_non_finite(a: Array | float, location: Location, name: str) -> None:
    """Raise :class:`NonFiniteError` if ``a`` holds NaN or ±infinity."""
    if not np.isfinite(a).all():
        raise non_finite_error(location, name)


SMALL_ARRAY = 32
"""Arrays of at most this many elements are summed in Python, which is faster than a numpy reduction for them."""


def all_finite(arrays: Iterable[Array]) -> bool:
    """A quick screen: ``True`` only if every element of every array is finite.

    NaN and ±infinity propagate through float64 sums, so the total of every
    array's sum is finite only if every element is. ``False`` is not a proof:
    large finite numbers may overflow the sum. Callers then locate the
    culprit with :func:`raise_if_non_finite`, array by array. One reduction
    per array and no boolean temporaries, and plain ``sum`` over small arrays,
    where it costs less than a numpy reduction (``bench/``); call it under
    ``np.errstate(over="ignore", invalid="ignore")``, as an overflowing numpy
    sum would warn.
    """
    total = 0.0
    for a in arrays:
        total += sum(a.ravel().tolist()) if a.size <= SMALL_ARRAY else float(a.sum())
    return math.isfinite(total)
