"""Numerical gradient check: backpropagation against central differences of the loss.

In the spirit of HIPS/autograd's ``check_grads``: every weight and bias θ is
moved by ±ε, the loss is recomputed by a full forward pass, and

    n = (L(θ + ε) − L(θ − ε)) / ((θ + ε) − (θ − ε))

(the step actually taken, which rounding can make differ from 2ε) is compared
with the analytic a = ∂L/∂θ of :func:`gradcore.backward`, element by element:

    relative error  e = |a − n| / max(|a|, |n|, tiny)
    tiny            = 10⁸ · u · max(1, |L|) / ε,  u = 2⁻⁵² (float64 machine epsilon)

The central difference carries a rounding error of about u·|L|/ε (and a
truncation error of order ε² |∂³L/∂θ³|). For an entry smaller than tiny that
rounding error alone would exceed 10⁻⁸ of it, so such an entry cannot be rated
by its relative error: the floor compares it to tiny instead, and keeps a
(nearly) zero entry from raising a false alarm. For ε = 10⁻⁶ and |L| ≤ 1,
tiny ≈ 0.022: larger entries are compared relatively, smaller ones in effect
absolutely (e ≤ 10⁻⁷ then means |a − n| ≤ 2.2 · 10⁻⁹).

Ratings, after the usual rules of thumb, on the largest e of a layer:
``fine`` for e ≤ 10⁻⁷, ``acceptable`` for e ≤ 10⁻⁴ (passes; expected with
kinks, suspicious for a smooth network), ``problem`` above 10⁻⁴ (fails).

relu is not differentiable at z = 0. When a difference straddles the kink
(the sign pattern z > 0 of some relu layer differs between the θ + ε and the
θ − ε passes) it measures neither one-sided derivative: such an entry is
counted in ``kinks`` and left out of the errors instead of raising a false alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from gradcore.errors import GradcoreError, Problem
from gradcore.network import backward, forward, unchecked_forward, unchecked_loss
from gradcore.types import Array, Cache, Gradients, Layer

FINE = 1e-7
"""Largest relative error rated ``fine``."""
ACCEPTABLE = 1e-4
"""Largest relative error rated ``acceptable`` (still passing); above it, ``problem``."""
TINY_FACTOR = 1e8
"""tiny = TINY_FACTOR · u · max(1, |L|) / ε: the floor of the relative error's denominator."""
U = float(np.finfo(np.float64).eps)

Mask = NDArray[np.bool_]


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
        max |a − n| / max(|a|, |n|, tiny) over the same entries.
    kinks : int
        How many entries were left out because their difference straddles a relu kink.
    """

    numerical_dW: Array
    analytic_dW: Array
    numerical_db: Array | None
    analytic_db: Array | None
    max_abs_error: float
    max_relative_error: float
    kinks: int

    @property
    def rating(self) -> str:
        """``fine`` (e ≤ 10⁻⁷), ``acceptable`` (e ≤ 10⁻⁴) or ``problem``."""
        if self.max_relative_error <= FINE:
            return "fine"
        return "acceptable" if self.max_relative_error <= ACCEPTABLE else "problem"

    @property
    def passed(self) -> bool:
        """True unless the rating is ``problem``."""
        return self.max_relative_error <= ACCEPTABLE


@dataclass(frozen=True)
class GradientCheck:
    """The check of a whole network.

    Attributes
    ----------
    loss : float
        L at the unperturbed weights.
    epsilon : float
        The step ε.
    tiny : float
        The floor of the relative error's denominator, 10⁸ · u · max(1, |L|) / ε.
    layers : tuple of LayerCheck
        Layers 1 … L.
    """

    loss: float
    epsilon: float
    tiny: float
    layers: tuple[LayerCheck, ...]

    @property
    def passed(self) -> bool:
        """True when every layer passed."""
        return all(layer.passed for layer in self.layers)

    @property
    def kinks(self) -> int:
        """Entries left out, over all layers, because their difference straddles a relu kink."""
        return sum(layer.kinks for layer in self.layers)


def _relu_pattern(layers: Sequence[Layer], cache: Cache) -> list[Mask]:
    return [Z > 0.0 for Z, layer in zip(cache.Z, layers, strict=True) if layer.activation == "relu"]


def _central_differences(
    value: Array, network: Callable[[Array], list[Layer]], X: Array, Y: Array, name: str, epsilon: float
) -> tuple[Array, Mask]:
    """Central differences of L in every entry of ``value`` (``network(value)`` builds the layers), and the kinks."""
    numerical = np.zeros_like(value)
    kinks = np.zeros(value.shape, dtype=np.bool_)
    for index in np.ndindex(value.shape):
        results = []
        for sign in (1.0, -1.0):
            moved = value.copy()
            moved[index] += sign * epsilon
            trial = network(moved)  # the same shapes as the checked network: no need to check them again
            cache = unchecked_forward(trial, X)
            results.append((moved[index], unchecked_loss(cache, Y, name), _relu_pattern(trial, cache)))
        (up, L_up, pattern_up), (down, L_down, pattern_down) = results
        if up == down:
            raise GradcoreError(
                [
                    Problem(
                        ("epsilon",),
                        f"the step ε = {epsilon:g} vanishes next to an entry {value[index]:g}: "
                        "θ ± ε rounds to θ; use a larger epsilon",
                    )
                ]
            )
        numerical[index] = (L_up - L_down) / (up - down)
        kinks[index] = any((p != q).any() for p, q in zip(pattern_up, pattern_down, strict=True))
    return numerical, kinks


def _errors(analytic: Array, numerical: Array, kinks: Mask, tiny: float) -> tuple[float, float]:
    smooth = ~kinks
    if not smooth.any():
        return 0.0, 0.0
    a, n = analytic[smooth], numerical[smooth]
    absolute = np.abs(a - n)
    relative = absolute / np.maximum(np.maximum(np.abs(a), np.abs(n)), tiny)
    return float(absolute.max()), float(relative.max())


def check_gradients(
    layers: Sequence[Layer], X: Array, Y: Array, name: str = "half_squared_error", epsilon: float = 1e-6
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
        The step ε > 0 (10⁻⁶ by default). Costs 2 forward passes per weight and bias.

    Returns
    -------
    GradientCheck
        Per layer both gradients, the largest absolute and relative errors and the kink count.

    Raises
    ------
    GradcoreError
        If ε is not a positive number.
    ShapeError
        If the network, X and Y do not fit together.
    NonFiniteError
        If some result overflows float64.
    """
    if not (np.isfinite(epsilon) and epsilon > 0.0):
        raise GradcoreError([Problem(("epsilon",), f"the step ε must be a positive number, not {epsilon!r}")])
    grads = backward(layers, forward(layers, X), Y, name)
    tiny = TINY_FACTOR * U * max(1.0, abs(grads.loss)) / epsilon
    layers = list(layers)
    checks = tuple(_check_layer(layers, k, grads, X, Y, name, epsilon, tiny) for k in range(len(layers)))
    return GradientCheck(loss=grads.loss, epsilon=epsilon, tiny=tiny, layers=checks)


def _check_layer(
    layers: list[Layer], k: int, grads: Gradients, X: Array, Y: Array, name: str, epsilon: float, tiny: float
) -> LayerCheck:
    """Central differences in every entry of W_k and b_k (k from 0), compared with ``grads``."""
    layer, before, after = layers[k], layers[:k], layers[k + 1 :]
    numerical_dW, kinks_W = _central_differences(
        layer.W, lambda W: [*before, replace(layer, W=W), *after], X, Y, name, epsilon
    )
    numerical_db, db = None, grads.db[k]
    analytic, numerical, kinks = [grads.dW[k].ravel()], [numerical_dW.ravel()], [kinks_W.ravel()]
    if layer.b is not None and db is not None:
        numerical_db, kinks_b = _central_differences(
            layer.b, lambda b: [*before, replace(layer, b=b), *after], X, Y, name, epsilon
        )
        analytic.append(db)
        numerical.append(numerical_db)
        kinks.append(kinks_b)
    all_kinks = np.concatenate(kinks)
    max_abs, max_rel = _errors(np.concatenate(analytic), np.concatenate(numerical), all_kinks, tiny)
    return LayerCheck(
        numerical_dW=numerical_dW,
        analytic_dW=grads.dW[k],
        numerical_db=numerical_db,
        analytic_db=db,
        max_abs_error=max_abs,
        max_relative_error=max_rel,
        kinks=int(all_kinks.sum()),
    )
