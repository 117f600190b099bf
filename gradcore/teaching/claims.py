"""The shapes of claimed gradients, checked like everything else at the boundary.

A claimed ∂L/∂W_k must have the shape of W_k (n_{k−1} × n_k) or of its
transpose (n_k × n_{k−1}, accepted so that :mod:`gradcore.teaching.diagnosis` can name
the mistake); a claimed ∂L/∂b_k must have the n_k entries of b_k.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradcore.core.errors import Problem
from gradcore.core.types import Array, Layer, describe


def claim_problems(
    layers: Sequence[Layer], claimed_dW: Sequence[Array], claimed_db: Sequence[Array | None] | None = None
) -> list[Problem]:
    """List what is wrong with the shapes of claimed gradients.

    Parameters
    ----------
    layers : sequence of Layer
        A valid network (see :func:`gradcore.shape_problems`).
    claimed_dW : sequence of ndarray
        One matrix per layer, each n_{k−1} × n_k (the shape of W_k) or n_k × n_{k−1} (its transpose).
    claimed_db : sequence of (ndarray or None), optional
        One entry per layer: n_k numbers for a layer with a bias, or None (not claimed).

    Returns
    -------
    list of Problem
        Located at ``("claimed_gradients", k)`` or ``("claimed_bias_gradients", k)``, k from 0.
    """
    L = len(layers)
    if len(claimed_dW) != L:
        return [
            Problem(
                ("claimed_gradients",),
                f"expected {L} matrices ∂L/∂W_1 … ∂L/∂W_{L}, one per layer, not {len(claimed_dW)}",
            )
        ]
    problems = []
    for k, (layer, C) in enumerate(zip(layers, claimed_dW, strict=True), start=1):
        where = ("claimed_gradients", k - 1)
        rows, cols = layer.W.shape
        if C.ndim != 2:
            shape = f"a flat list of {C.size} numbers" if C.ndim == 1 else describe(C.shape)
            problems.append(
                Problem(
                    where,
                    f"claimed ∂L/∂W_{k} must be a matrix (a list of rows) like W_{k}, {rows} × {cols}, not {shape}",
                )
            )
        elif not np.isfinite(C).all():
            problems.append(Problem(where, f"claimed ∂L/∂W_{k} contains a number that is not finite"))
        elif C.shape not in ((rows, cols), (cols, rows)):
            problems.append(
                Problem(
                    where,
                    f"claimed ∂L/∂W_{k} is {describe(C.shape)} but W_{k} is {rows} × {cols}: expected {rows} × {cols} "
                    f"(n_{k - 1} × n_{k}, the shape of W_{k}) or its transpose {cols} × {rows}",
                )
            )
    if claimed_db is None:
        return problems
    if len(claimed_db) != L:
        return [
            *problems,
            Problem(
                ("claimed_bias_gradients",),
                f"expected {L} entries, one per layer (null where not claimed), not {len(claimed_db)}",
            ),
        ]
    for k, (layer, c) in enumerate(zip(layers, claimed_db, strict=True), start=1):
        where = ("claimed_bias_gradients", k - 1)
        if c is None:
            continue
        if layer.b is None:
            problems.append(
                Problem(where, f"layer {k} has no bias b_{k}, so there is no ∂L/∂b_{k} to claim: write null")
            )
        elif c.shape != layer.b.shape:
            problems.append(
                Problem(
                    where,
                    f"claimed ∂L/∂b_{k} has shape {describe(c.shape)} but b_{k} has {layer.b.size} entries (n_{k})",
                )
            )
        elif not np.isfinite(c).all():
            problems.append(Problem(where, f"claimed ∂L/∂b_{k} contains a number that is not finite"))
    return problems
