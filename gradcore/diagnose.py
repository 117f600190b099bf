"""Diagnose a claimed gradient: which of the usual hand-derivation mistakes explains it.

A claim C of ∂L/∂W_k (or ∂L/∂b_k) is compared with the true gradient T of
:func:`gradcore.backward`. "C ≈ R" means, with the relative tolerance rtol
(10⁻³ by default, so that values rounded to 4 significant digits still match):

    max |C − R| ≤ rtol · max |R| + 10⁻¹²

The verdicts are tried in this order; the first that holds is the answer:

1. ``correct``: C ≈ T.
2. ``sign_flipped``: C ≈ −T, the seed series' own slip in parts 1, 2 and 4-2,
   (y − ŷ) where the gradient has (ŷ − y): the descent direction, not the gradient.
3. ``transposed``: Cᵀ ≈ T, the product in the wrong order, Δ_kᵀ · l_{k−1}. A
   claim of shape n_k × n_{k−1} (the shape of W_kᵀ) is transposed back first
   and can only be ``transposed`` or ``incorrect``. For a square W_k the test
   only runs when T is not symmetric (otherwise C ≈ T already held).
4. ``missing_activation_derivative``: C ≈ the gradient recomputed with
   f′_j ≡ 1 at one layer j ≥ k, the output layer first, then j = L − 1, …, k.
   (With binary_cross_entropy or cross_entropy, the output layer's f′ cancels,
   so only the hidden layers are tried.) This comes before ``scaled``: with one
   example and one output, a missing f′_L only rescales the gradient, by
   1 / f′_L(z_L), and the specific cause is the better answer.
5. ``scaled``: C ≈ α·T with the least-squares factor α = ⟨C, T⟩ / ⟨T, T⟩ (C not
   ≈ 0). The hint names the usual causes of the loss when α matches them: 2
   (the ½ of L = Σ ½ (y − ŷ)² dropped), ½, 1/m (a mean where L sums over the
   m examples), m (a sum where L takes a mean), and their products; a
   negative α also has the sign flipped (see :func:`gradcore.mistakes.usual_causes`).
6. ``incorrect``: none of the above; ``worst_index`` is the entry (in the
   claim's own indexing) with the largest |C − T|.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gradcore.claims import claim_problems
from gradcore.errors import Location, NonFiniteError, Problem, ShapeError
from gradcore.mistakes import forgotten, usual_causes, without_derivative
from gradcore.network import backward, forward
from gradcore.types import Array, Layer, describe

RTOL = 1e-3
"""Default relative tolerance of every comparison."""
ATOL = 1e-12
"""Absolute slack of every comparison, so that an all-zero gradient can be matched."""


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one claimed ∂L/∂W_k or ∂L/∂b_k.

    Attributes
    ----------
    verdict : str
        ``correct``, ``sign_flipped``, ``transposed``, ``missing_activation_derivative``, ``scaled`` or ``incorrect``.
    expected : ndarray
        The true gradient T, the shape of W_k (or b_k).
    max_abs_error : float
        max |C − T|, with C transposed back if it has the shape of W_kᵀ.
    factor : float or None
        α with C ≈ α·T: 1 when correct, −1 when sign_flipped, the least-squares α when scaled; else None.
    hint : str
        What the verdict means and its usual cause, in the notation of the seed notes.
    worst_index : tuple of int or None
        For ``incorrect``: the index in C of the largest |C − T|.
    missing_at_layer : int or None
        For ``missing_activation_derivative``: the layer j (from 1) whose f′_j was left out.
    """

    verdict: str
    expected: Array
    max_abs_error: float
    factor: float | None = None
    hint: str = ""
    worst_index: tuple[int, ...] | None = None
    missing_at_layer: int | None = None


def close(C: Array, R: Array, rtol: float = RTOL) -> bool:
    """C ≈ R: max |C − R| ≤ rtol · max |R| + 10⁻¹² (same shapes)."""
    return bool(np.max(np.abs(C - R)) <= rtol * np.max(np.abs(R)) + ATOL)


def _worst(C: Array, T: Array) -> tuple[int, ...]:
    index = np.unravel_index(int(np.argmax(np.abs(C - T))), C.shape)
    return tuple(int(i) for i in index)


def _judge(
    C: Array,
    T: Array,
    alternatives: Sequence[tuple[int, Array, str]],
    what: str,
    m: int,
    n_L: int,
    name: str,
    rtol: float,
    k: int | None,
) -> Diagnosis:
    """Steps 1 to 6 of the module docstring for a claim C of the shape of T (``what`` names T, e.g. ∂L/∂W_2).

    Step 3 runs for a square matrix only; for b_k, ``k`` is None and it never runs.
    """
    error = float(np.max(np.abs(C - T)))
    if close(C, T, rtol):
        return Diagnosis("correct", T, error, 1.0, f"the claim matches {what} within the tolerance")
    if np.max(np.abs(T)) > ATOL and close(C, -T, rtol):
        return Diagnosis(
            "sign_flipped",
            T,
            error,
            -1.0,
            f"the claim is −{what}: (y − ŷ) where the gradient has (ŷ − y), the seed series' own slip in parts 1, "
            "2 and 4-2; it is the descent direction, not the gradient",
        )
    if k is not None and C.ndim == 2 and C.shape[0] == C.shape[1] > 1 and close(C.T, T, rtol):
        return _transposed(C, T, what, k, rtol)
    for j, alternative, mistake in alternatives:
        if not close(alternative, T, rtol) and close(C, alternative, rtol):
            return Diagnosis(
                "missing_activation_derivative",
                T,
                error,
                None,
                f"the claim is {what} with {mistake}",
                missing_at_layer=j,
            )
    TT = float(np.sum(T * T))
    if TT > 0.0 and np.max(np.abs(C)) > ATOL:
        alpha = float(np.sum(C * T)) / TT
        if np.isfinite(alpha) and close(C, alpha * T, rtol):
            return Diagnosis(
                "scaled",
                T,
                error,
                alpha,
                f"the claim is {alpha:.6g} × {what}: {usual_causes(alpha, m, n_L, name, rtol)}",
            )
    return Diagnosis(
        "incorrect", T, error, None, f"the claim is not {what} nor one of the usual mistakes", _worst(C, T)
    )


def diagnose(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    claimed_dW: Sequence[Array],
    claimed_db: Sequence[Array | None] | None = None,
    name: str = "half_squared_error",
    rtol: float = RTOL,
) -> tuple[list[Diagnosis], list[Diagnosis | None]]:
    """Diagnose claimed gradients ∂L/∂W_k (and ∂L/∂b_k) against backpropagation.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets.
    claimed_dW : sequence of ndarray
        One claim per layer, n_{k−1} × n_k or its transpose n_k × n_{k−1}.
    claimed_db : sequence of (ndarray, shape (n_k,), or None), optional
        One entry per layer; None where no bias gradient is claimed.
    name : str
        A key of :data:`gradcore.LOSSES`.
    rtol : float
        The relative tolerance of every comparison (see the module docstring).

    Returns
    -------
    (list of Diagnosis, list of (Diagnosis or None))
        The verdicts on the weights of layers 1 … L, and on the claimed biases (None where not claimed).

    Raises
    ------
    ShapeError
        If the network, X, Y or the claims do not fit together.
    NonFiniteError
        If a claim is so large that its difference from the true gradient overflows float64.
    """
    cache = forward(layers, X)
    true = backward(layers, cache, Y, name)
    problems = claim_problems(layers, claimed_dW, claimed_db)
    if problems:
        raise ShapeError(problems)
    L, m, n_L = len(layers), X.shape[0], layers[-1].W.shape[1]
    forgetful = [(j + 1, without_derivative(layers, cache, Y, name, j)) for j in range(L)]
    mistakes = [(j, grads, forgotten(layers, j)) for j, grads in reversed(forgetful) if grads is not None]
    weights = []
    for k, C in enumerate(claimed_dW):
        T, what = true.dW[k], f"∂L/∂W_{k + 1}"
        alternatives = [(j, grads.dW[k], text) for j, grads, text in mistakes if j > k]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            if C.shape != T.shape:
                weights.append(_transposed(C, T, what, k + 1, rtol))
            else:
                weights.append(_judge(C, T, alternatives, what, m, n_L, name, rtol, k + 1))
        _raise_if_overflow(weights[-1], ("claimed_gradients", k), f"claimed ∂L/∂W_{k + 1}")
    biases: list[Diagnosis | None] = []
    for k, c in enumerate(claimed_db or [None] * L):
        db = true.db[k]
        if c is None or db is None:
            biases.append(None)
            continue
        alternatives = [
            (j, grads_db, text) for j, grads, text in mistakes if j > k and (grads_db := grads.db[k]) is not None
        ]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            biases.append(_judge(c, db, alternatives, f"∂L/∂b_{k + 1}", m, n_L, name, rtol, None))
        _raise_if_overflow(biases[-1], ("claimed_bias_gradients", k), f"claimed ∂L/∂b_{k + 1}")
    return weights, biases


def _transposed(C: Array, T: Array, what: str, k: int, rtol: float) -> Diagnosis:
    """Step 3: a claim that is (or has the shape of) the transpose of T."""
    error = float(np.max(np.abs(C.T - T)))
    if close(C.T, T, rtol):
        return Diagnosis(
            "transposed",
            T,
            error,
            None,
            f"the claim is ({what})ᵀ: the product in the wrong order, "
            f"Δ_{k}ᵀ · l_{k - 1} ({describe(C.shape)}) instead of "
            f"l_{k - 1}ᵀ · Δ_{k} ({describe(T.shape)}, the shape of W_{k})",
        )
    return Diagnosis(
        "incorrect",
        T,
        error,
        None,
        f"the claim has the shape of W_{k}ᵀ ({describe(C.shape)}) and, transposed, is still not {what}",
        _worst(C, T.T),
    )


def _raise_if_overflow(diagnosis: Diagnosis | None, location: Location, name: str) -> None:
    if diagnosis is not None and not np.isfinite(diagnosis.max_abs_error):
        raise NonFiniteError([Problem(location, f"{name} is so large that its error |C − T| overflows float64")])
