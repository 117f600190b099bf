"""Central differences of the loss in every entry of a weight matrix or bias, for :mod:`gradcore.gradcheck.check`.

    D(h) = (L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))

with the step actually taken (rounding can make it differ from 2h), and whether the
difference straddles a relu kink (the sign pattern z > 0 of some relu layer differs
between the θ + h and the θ − h passes).

Every L is a loss recomputed by a forward pass of the moved network, never read from the
backward pass; the passes of one layer's entries share what the move cannot change
(:func:`moved_losses`). Moving W_k[i, j] by d changes only column j of z_k, by d · l_{k−1}[:, i]
(b_k[j]: by d in every row), so

* l_0 … l_{k−1} and z_k are those of the unmoved network, computed once;
* column j of l_k = f_k(z_k) is recomputed (f_k element-wise), and
  z_{k+1} = z_{k+1}^0 + (l_k[:, j] − l_k^0[:, j]) ⊗ W_{k+1}[j, :], the unmoved z_{k+1}^0 updated;
* layers k + 2 … L and the loss go forward as usual, the moved networks stacked along a batch
  axis: B moved networks are one (B·m) × n matrix product per layer, not B of them.

The batch is cut into chunks of about :data:`CHUNK_FLOATS` numbers per intermediate array, so memory
stays bounded whatever the number of entries. The updates above round differently from a full
product: :mod:`gradcore.gradcheck.roundoff` accounts for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from gradcore.core.activations import ACTIVATIONS
from gradcore.core.errors import GradcoreError, Problem
from gradcore.core.losses import NEEDS_OUTPUT, batch_values
from gradcore.core.network import unchecked_forward, unchecked_loss
from gradcore.core.shapes import all_finite
from gradcore.core.types import Array, Cache, Layer

Mask = NDArray[np.bool_]
Indices = NDArray[np.intp]

CHUNK_FLOATS = 1 << 18
"""Numbers (float64) in the largest intermediate array of one chunk of moved networks: 2 MiB."""


def _relu_pattern(layers: Sequence[Layer], cache: Cache) -> list[Mask]:
    return [Z > 0.0 for Z, layer in zip(cache.Z, layers, strict=True) if layer.activation == "relu"]


def moved_network(layers: Sequence[Layer], k: int, parameter: str, value: Array) -> list[Layer]:
    """The network with W_k (``parameter`` "W") or b_k ("b") replaced by ``value`` (k from 0)."""
    moved = replace(layers[k], W=value) if parameter == "W" else replace(layers[k], b=value)
    return [*layers[:k], moved, *layers[k + 1 :]]


def difference(
    layers: Sequence[Layer], k: int, parameter: str, index: tuple[int, ...], step: float, X: Array, Y: Array, name: str
) -> tuple[float, bool]:
    """D(step) in the entry ``index`` of W_k or b_k, one full forward pass per side, and whether it straddles
    a relu kink: the reference that :func:`central_differences` computes in batches."""
    array = np.asarray(layers[k].W if parameter == "W" else layers[k].b)
    results = []
    for sign in (1.0, -1.0):
        moved = array.copy()
        moved[index] += sign * step
        trial = moved_network(layers, k, parameter, moved)  # the checked shapes: no need to check them again
        cache = unchecked_forward(trial, X)
        results.append((moved[index], unchecked_loss(cache, Y, name), _relu_pattern(trial, cache)))
    (up, L_up, pattern_up), (down, L_down, pattern_down) = results
    if up == down:
        raise _vanishing(step, float(array[index]))
    kink = any((p != q).any() for p, q in zip(pattern_up, pattern_down, strict=True))
    return (L_up - L_down) / (up - down), kink


def _vanishing(step: float, value: float) -> GradcoreError:
    return GradcoreError(
        [
            Problem(
                ("epsilon",),
                f"the step ε = {step:g} vanishes next to an entry {value:g}: θ ± ε rounds to θ; use a larger epsilon",
            )
        ]
    )


def moved_losses(
    layers: Sequence[Layer], cache: Cache, k: int, parameter: str, entries: Indices, moves: Array, Y: Array, name: str
) -> tuple[Array, list[Mask], bool]:
    """L of B moved networks at once: network b has entry ``entries[b]`` of W_k (flat, row by row) or b_k moved
    by ``moves[b]`` (k from 0); the rest as in ``layers``.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 (n_0 × n_1) first; shapes already checked.
    cache : Cache
        Its forward pass on X (m × n_0).
    k : int
        The layer moved, from 0.
    parameter : str
        ``"W"`` or ``"b"``.
    entries : ndarray of int, shape (B,)
        Flat indices into W_k (n_{k−1}·n_k entries) or b_k (n_k).
    moves : ndarray, shape (B,)
        The amounts d_b added to each entry.
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.

    Returns
    -------
    losses : ndarray, shape (B,)
        L of each moved network.
    patterns : list of ndarray of bool, shapes (n, B, m)
        For each relu layer from k on, the sign pattern z > 0 of each moved network (batch axis 1; for layer
        k itself, only the moved column: n = 1).
    finite : bool
        False if some z, l or L overflowed: the caller recomputes the entries one by one to locate it.
    """
    L = len(layers)
    n_k = layers[k].W.shape[1]
    columns = entries % n_k if parameter == "W" else entries
    previous = cache.A[k - 1] if k > 0 else cache.X
    checked: list[Array] = []
    patterns: list[Mask] = []
    with np.errstate(over="ignore", invalid="ignore"):
        Z_col = cache.Z[k].T[columns]  # (B, m): column j of z_k of each moved network
        if parameter == "W":
            Z_col += moves[:, np.newaxis] * previous.T[entries // n_k]
        else:
            Z_col += moves[:, np.newaxis]
        checked.append(Z_col)
        B, m = Z_col.shape
        if layers[k].activation == "relu":
            patterns.append((Z_col > 0.0)[np.newaxis])
        if k + 1 == L and layers[k].activation != "softmax" and name in NEEDS_OUTPUT:
            # ŷ = f_L(z_L) moves in one column only: f_L of that column, the rest of ŷ as it is; these losses read
            # ŷ alone (not z_L)
            A_col = ACTIVATIONS[layers[k].activation].forward(Z_col)
            checked.append(A_col)
            At = _output_with_column(cache.A[k], columns, A_col)
            moved_output: Array = At.reshape(-1, B, m).transpose(1, 2, 0)
            losses = batch_values(name, moved_output, moved_output, Y)
            return losses, patterns, all_finite([*checked, losses])
        if k + 1 < L and layers[k].activation != "softmax":
            Zt, first = _next_layer(layers, cache, k, columns, Z_col), k + 1
            checked.append(Zt)
        else:  # the last layer: z_L moves in one column (and ŷ in one, or every one for softmax)
            Zt, first = _output_with_column(cache.Z[k], columns, Z_col), k
        # From here on every z and l is held transposed, n × (B·m): the row-wise reductions of the softmax and
        # the losses then run over the outer axis of the memory, element-wise, not over rows of n_L numbers.
        At = Zt
        for i in range(first, L):
            if i > first:
                Zt = layers[i].W.T @ At
                bias = layers[i].b
                if bias is not None:
                    Zt += bias[:, np.newaxis]
                checked.append(Zt)
            if layers[i].activation == "relu" and i > k:
                patterns.append((Zt > 0.0).reshape(-1, B, m))
            if i + 1 < L or name in NEEDS_OUTPUT:
                At = ACTIVATIONS[layers[i].activation].forward(Zt.T).T
                checked.append(At)
        n_L = Zt.shape[0]
        output = At.reshape(n_L, B, m).transpose(1, 2, 0) if name in NEEDS_OUTPUT else None
        losses = batch_values(name, Zt.reshape(n_L, B, m).transpose(1, 2, 0), output, Y)
        finite = all_finite([*checked, losses])
    return losses, patterns, finite


def _next_layer(layers: Sequence[Layer], cache: Cache, k: int, columns: Indices, Z_col: Array) -> Array:
    """z_{k+1} of every moved network, transposed: n_{k+1} × (B·m), network b's in columns b·m … b·m + m − 1.

    Only column j = ``columns[b]`` of l_k moves: z_{k+1} = z_{k+1}^0 + (l_k[:, j] − l_k^0[:, j]) ⊗ W_{k+1}[j, :].
    """
    B, m = Z_col.shape
    change = ACTIVATIONS[layers[k].activation].forward(Z_col) - cache.A[k].T[columns]  # (B, m)
    n_next = layers[k + 1].W.shape[1]
    Zt = np.empty((n_next, B, m))  # in this order, so that the reshape below is a view
    np.multiply(layers[k + 1].W[columns].T[:, :, np.newaxis], change[np.newaxis], out=Zt)
    Zt += cache.Z[k + 1].T[:, np.newaxis, :]
    return Zt.reshape(n_next, B * m)


def _output_with_column(Z_L: Array, columns: Indices, Z_col: Array) -> Array:
    """z_L (or ŷ) of every moved network, transposed, n_L × (B·m): ``Z_L`` with column ``columns[b]`` replaced by
    ``Z_col[b]``."""
    B, m = Z_col.shape
    Zt = np.broadcast_to(Z_L.T[:, np.newaxis, :], (Z_L.shape[1], B, m)).copy()
    Zt[columns, np.arange(B), :] = Z_col
    return Zt.reshape(-1, B * m)


def central_differences(
    layers: Sequence[Layer],
    cache: Cache,
    k: int,
    parameter: str,
    Y: Array,
    name: str,
    epsilon: float,
    chunk_floats: int = CHUNK_FLOATS,
) -> tuple[Array, Array, Mask]:
    """D(ε) and |D(2ε) − D(ε)| / 3 in every entry of W_k or b_k (``parameter`` "W" or "b", k from 0), and the
    kinks of D(ε).

    Parameters
    ----------
    layers : sequence of Layer
        The network; shapes already checked.
    cache : Cache
        Its forward pass on X (m × n_0).
    k, parameter : int, str
        The layer, from 0, and ``"W"`` (n_{k−1} × n_k) or ``"b"`` (n_k).
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.
    epsilon : float
        The step ε > 0.
    chunk_floats : int
        About the most numbers in one intermediate array of a chunk of moved networks (≥ 1).

    Returns
    -------
    numerical, truncation : ndarray, the shape of W_k or b_k
        D(ε) and |D(2ε) − D(ε)| / 3.
    kinks : ndarray of bool, the same shape
        Whether D(ε) straddles a relu kink.

    Raises
    ------
    GradcoreError
        If θ ± ε rounds to θ for some entry.
    NonFiniteError
        If a moved network overflows float64.
    """
    value = np.asarray(layers[k].W if parameter == "W" else layers[k].b)
    flat = value.ravel()
    steps = (epsilon, 2.0 * epsilon)
    ups, downs = [flat + h for h in steps], [flat - h for h in steps]
    vanished = np.flatnonzero(ups[0] == downs[0])
    if vanished.size:
        raise _vanishing(epsilon, float(flat[vanished[0]]))
    moves = np.stack([ups[0] - flat, downs[0] - flat, ups[1] - flat, downs[1] - flat])  # (4, P)
    m = cache.X.shape[0]
    width = max(int(layer.W.shape[1]) for layer in (layers[k + 1 :] or layers[k:]))
    chunk = max(1, chunk_floats // (4 * m * width))
    losses = np.empty((4, flat.size))
    kinks = np.zeros(flat.size, dtype=np.bool_)
    for start in range(0, flat.size, chunk):
        part = np.arange(start, min(start + chunk, flat.size))
        c = part.size
        values, patterns, finite = moved_losses(
            layers, cache, k, parameter, np.tile(part, 4), moves[:, part].ravel(), Y, name
        )
        if not finite:
            values, kink = _one_by_one(layers, k, parameter, value.shape, part, cache.X, Y, name, steps)
            kinks[part] = kink
        else:
            for pattern in patterns:
                kinks[part] |= (pattern[:, :c] != pattern[:, c : 2 * c]).any(axis=(0, 2))
        losses[:, part] = values.reshape(4, c)
    numerical = (losses[0] - losses[1]) / (ups[0] - downs[0])
    double = (losses[2] - losses[3]) / (ups[1] - downs[1])
    truncation = np.abs(double - numerical) / 3.0
    return numerical.reshape(value.shape), truncation.reshape(value.shape), kinks.reshape(value.shape)


def _one_by_one(
    layers: Sequence[Layer],
    k: int,
    parameter: str,
    shape: tuple[int, ...],
    part: Indices,
    X: Array,
    Y: Array,
    name: str,
    steps: tuple[float, float],
) -> tuple[Array, Mask]:
    """The four losses of the entries ``part`` by full forward passes, raising where one overflows."""
    value = np.asarray(layers[k].W if parameter == "W" else layers[k].b)
    values = np.empty((4, part.size))
    kink = np.zeros(part.size, dtype=np.bool_)
    for e, flat_index in enumerate(part):
        index = tuple(int(i) for i in np.unravel_index(flat_index, shape))
        for s, h in enumerate(steps):
            for side, sign in enumerate((1.0, -1.0)):
                moved = value.copy()
                moved[index] += sign * h
                trial = moved_network(layers, k, parameter, moved)
                trial_cache = unchecked_forward(trial, X)
                values[2 * s + side, e] = unchecked_loss(trial_cache, Y, name)
        kink[e] = difference(layers, k, parameter, index, steps[0], X, Y, name)[1]
    return values.ravel(), kink
