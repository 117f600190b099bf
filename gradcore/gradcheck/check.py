"""Numerical gradient check: backpropagation against central differences of the loss, with an error model.

In the spirit of HIPS/autograd's ``check_grads``: every weight and bias θ is
moved by ±ε and by ±2ε, the loss is recomputed by a forward pass of the moved network
(from the moved layer on, many moved networks at once: :mod:`gradcore.gradcheck.differences`), and

    n = D(ε) = (L(θ + ε) − L(θ − ε)) / ((θ + ε) − (θ − ε))

(the step actually taken, which rounding can make differ from 2ε) is compared
with the analytic a = ∂L/∂θ of :func:`gradcore.backward`, entry by entry.

A central difference is not exact, and how far it may be from ∂L/∂θ depends on
ε, so a plain relative error means different things at different ε. Each entry
therefore gets an **expected error** E, the error model of the difference:

    E = 2 · ( |D(2ε) − D(ε)| / 3  +  δL / ε )

* truncation: D(ε) = ∂L/∂θ + c ε² + O(ε⁴) and D(2ε) = ∂L/∂θ + 4c ε² + …, so
  (D(2ε) − D(ε)) / 3 estimates D(ε)'s own c ε² (Richardson);
* round-off: each loss is computed to about δL (:func:`gradcore.gradcheck.roundoff.loss_roundoff`,
  a first-order bound from the forward and backward pass), which the
  difference divides by the step;
* 2: a safety factor, as both are estimates.

Per entry, with d = max(|a|, |n|, E):

    relative error     e = |a − n| / d
    unexplained error  x = max(0, |a − n| − E) / d     (the part the error model does not explain)

A layer passes when its largest x is at most 10⁻⁴, so that passing means the
same at every ε in [10⁻¹⁰, 10⁻²]: at a large ε the truncation error, at a small
one the round-off, is expected and does not fail a correct gradient, and a wrong
backward rule fails at every ε. It is rated ``fine`` when moreover x ≤ 10⁻⁷ and
e ≤ 10⁻⁴ (the difference is sharp enough to confirm the gradient to 10⁻⁴),
``acceptable`` when it passes otherwise (at an extreme ε the difference itself
is only good to e), ``problem`` when it fails. Each layer names its worst entry (largest x,
then largest e) and, when it fails, the entries with x > 10⁻⁴.

relu is not differentiable at z = 0. When a difference straddles the kink
(the sign pattern z > 0 of some relu layer differs between the θ + ε and the
θ − ε passes) it measures neither one-sided derivative: such an entry is
counted in ``kinks`` and left out of the errors instead of raising a false alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.core.errors import GradcoreError, Problem
from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.gradcheck.differences import CHUNK_FLOATS, central_differences
from gradcore.gradcheck.roundoff import loss_roundoff

FINE = 1e-7
"""Largest unexplained relative error rated ``fine``."""
ACCEPTABLE = 1e-4
"""Largest unexplained relative error rated ``acceptable`` (still passing); above it, ``problem``."""
SAFETY = 2.0
"""The expected error E is SAFETY times the truncation estimate plus the round-off bound."""
MAX_FAILING = 20
"""The most failing entries a layer lists; ``failing_count`` counts them all."""
ERROR_MODEL = (
    "expected error E = 2 · (|D(2ε) − D(ε)| / 3 + δL / ε): Richardson's estimate of the truncation error "
    "plus the round-off of the two losses (δL, a first-order bound from the forward and backward pass); "
    "relative error e = |a − n| / max(|a|, |n|, E); a layer is rated on its unexplained error "
    "max(0, |a − n| − E) / max(|a|, |n|, E)"
)
"""The error model, in one sentence, for answers."""


@dataclass(frozen=True)
class Entry:
    """One checked entry of W_k (``parameter`` "W", ``index`` (row, column)) or b_k ("b", (j,)).

    Attributes
    ----------
    analytic, numerical : float
        a = ∂L/∂θ by backpropagation, n by central differences.
    relative_error : float
        e = |a − n| / max(|a|, |n|, E).
    expected_error : float
        E, the error model's expected |a − n| for a correct a.
    unexplained_error : float
        x = max(0, |a − n| − E) / max(|a|, |n|, E), what the rating reads.
    """

    parameter: str
    index: tuple[int, ...]
    analytic: float
    numerical: float
    relative_error: float
    expected_error: float
    unexplained_error: float


@dataclass(frozen=True)
class LayerCheck:
    """The check of one layer's gradients.

    Attributes
    ----------
    numerical_dW, analytic_dW : ndarray, shape (n_{k−1}, n_k)
        ∂L/∂W_k by central differences and by backpropagation.
    numerical_db, analytic_db : ndarray, shape (n_k,), or None
        The same for b_k; ``None`` when the layer has no bias.
    max_abs_error : float
        max |a − n| over the entries of W_k and b_k away from relu kinks.
    max_relative_error : float
        max e over the same entries.
    max_unexplained_error : float
        max x over the same entries: what the rating reads.
    max_expected_error : float
        max E over the same entries.
    kinks : int
        How many entries were left out because their difference straddles a relu kink.
    worst : Entry or None
        The entry with the largest x (then the largest e); None when every entry is at a kink.
    failing : tuple of Entry
        The entries with x > 10⁻⁴, the first :data:`MAX_FAILING` (W_k row by row, then b_k).
    failing_count : int
        How many entries fail in all.
    """

    numerical_dW: Array
    analytic_dW: Array
    numerical_db: Array | None
    analytic_db: Array | None
    max_abs_error: float
    max_relative_error: float
    max_unexplained_error: float
    max_expected_error: float
    kinks: int
    worst: Entry | None = None
    failing: tuple[Entry, ...] = ()
    failing_count: int = 0

    @property
    def rating(self) -> str:
        """``fine`` (x ≤ 10⁻⁷ and e ≤ 10⁻⁴), ``acceptable`` (x ≤ 10⁻⁴) or ``problem`` (x > 10⁻⁴)."""
        if self.max_unexplained_error > ACCEPTABLE:
            return "problem"
        fine = self.max_unexplained_error <= FINE and self.max_relative_error <= ACCEPTABLE
        return "fine" if fine else "acceptable"

    @property
    def passed(self) -> bool:
        """True unless the rating is ``problem``."""
        return self.max_unexplained_error <= ACCEPTABLE


@dataclass(frozen=True)
class GradientCheck:
    """The check of a whole network.

    Attributes
    ----------
    loss : float
        L at the unperturbed weights.
    epsilon : float
        The step ε.
    roundoff : float
        δL, the bound on the rounding error of one evaluation of L.
    layers : tuple of LayerCheck
        Layers 1 … L.
    """

    loss: float
    epsilon: float
    roundoff: float
    layers: tuple[LayerCheck, ...]

    @property
    def passed(self) -> bool:
        """True when every layer passed."""
        return all(layer.passed for layer in self.layers)

    @property
    def kinks(self) -> int:
        """Entries left out, over all layers, because their difference straddles a relu kink."""
        return sum(layer.kinks for layer in self.layers)


def check_gradients(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    name: str = "half_squared_error",
    epsilon: float = 1e-6,
    *,
    chunk_floats: int = CHUNK_FLOATS,
) -> GradientCheck:
    """Compare every ∂L/∂W_k and ∂L/∂b_k of :func:`gradcore.backward` with central differences.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.
    epsilon : float
        The step ε > 0 (10⁻⁶ by default). Costs 4 losses per weight and bias (±ε, ±2ε), each by a forward
        pass from the moved layer on (:mod:`gradcore.gradcheck.differences`).
    chunk_floats : int
        About the most numbers of one intermediate array of the moved networks computed together (≥ 1):
        bounds the check's memory.

    Returns
    -------
    GradientCheck
        Per layer both gradients, the errors of the module docstring, the worst and the failing entries.

    Raises
    ------
    GradcoreError
        If ε is not a positive number, or vanishes next to an entry.
    ShapeError
        If the network, X and Y do not fit together.
    NonFiniteError
        If some result overflows float64.
    """
    if not (np.isfinite(epsilon) and epsilon > 0.0):
        raise GradcoreError([Problem(("epsilon",), f"the step ε must be a positive number, not {epsilon!r}")])
    cache = forward(layers, X)
    grads = backward(layers, cache, Y, name)
    roundoff = loss_roundoff(layers, cache, grads, Y, name)
    layers = list(layers)
    chunk = max(1, int(chunk_floats))
    checks = tuple(_check_layer(layers, k, cache, grads, Y, name, epsilon, roundoff, chunk) for k in range(len(layers)))
    return GradientCheck(loss=grads.loss, epsilon=epsilon, roundoff=roundoff, layers=checks)


def _entry_name(i: int, shape: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """The parameter and index of entry i of W_k (``shape``, row by row), then b_k."""
    size = shape[0] * shape[1]
    if i < size:
        return "W", (i // shape[1], i % shape[1])
    return "b", (i - size,)


def _check_layer(
    layers: list[Layer],
    k: int,
    cache: Cache,
    grads: Gradients,
    Y: Array,
    name: str,
    epsilon: float,
    roundoff: float,
    chunk: int,
) -> LayerCheck:
    """Central differences in every entry of W_k and b_k (k from 0), compared with ``grads``."""
    layer = layers[k]
    numerical_dW, truncation_W, kinks_W = central_differences(layers, cache, k, "W", Y, name, epsilon, chunk)
    numerical_db, db = None, grads.db[k]
    analytic, numerical, truncation = [grads.dW[k].ravel()], [numerical_dW.ravel()], [truncation_W.ravel()]
    kinks = [kinks_W.ravel()]
    if layer.b is not None and db is not None:
        numerical_db, truncation_b, kinks_b = central_differences(layers, cache, k, "b", Y, name, epsilon, chunk)
        analytic.append(db)
        numerical.append(numerical_db)
        truncation.append(truncation_b.ravel())
        kinks.append(kinks_b)
    a, n, kink = np.concatenate(analytic), np.concatenate(numerical), np.concatenate(kinks)
    expected = SAFETY * (np.concatenate(truncation) + roundoff / epsilon)
    absolute = np.abs(a - n)
    scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(scale > 0.0, absolute / scale, 0.0)
        unexplained = np.where(scale > 0.0, np.maximum(absolute - expected, 0.0) / scale, 0.0)
    relative[kink], unexplained[kink], absolute[kink] = 0.0, 0.0, 0.0

    def entry(i: int) -> Entry:
        parameter, index = _entry_name(i, layer.W.shape)
        return Entry(
            parameter, index, float(a[i]), float(n[i]), float(relative[i]), float(expected[i]), float(unexplained[i])
        )

    smooth = np.flatnonzero(~kink)
    worst = None
    if smooth.size:
        order = np.lexsort((relative[smooth], unexplained[smooth]))
        worst = entry(int(smooth[order[-1]]))
    failing = np.flatnonzero(unexplained > ACCEPTABLE)
    return LayerCheck(
        numerical_dW=numerical_dW,
        analytic_dW=grads.dW[k],
        numerical_db=numerical_db,
        analytic_db=db,
        max_abs_error=float(absolute.max(initial=0.0)),
        max_relative_error=float(relative.max(initial=0.0)),
        max_unexplained_error=float(unexplained.max(initial=0.0)),
        max_expected_error=float(expected[~kink].max(initial=0.0)),
        kinks=int(kink.sum()),
        worst=worst,
        failing=tuple(entry(int(i)) for i in failing[:MAX_FAILING]),
        failing_count=int(failing.size),
    )
