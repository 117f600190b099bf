"""Grade a partial answer quantity by quantity, with error carried forward.

Each answered quantity of :class:`~gradcore.teaching.answers.Answer` is judged, in the order of the
computation (z_1, l_1, …, z_L, ŷ = l_L, L, Δ_L, …, Δ_1, ∂L/∂W_1, ∂L/∂b_1, …, ∂L/∂W_L, ∂L/∂b_L), by
:func:`gradcore.teaching.diagnosis.judge` against its true value T: ``correct`` or the usual mistakes
(at most two, named in ``mistakes``) or ``incorrect``.

**Error carried forward.** Each quantity is also computed from the learner's own earlier answers (the
true value where they gave none), as the seed's formulas read:

    z_k = l_{k−1} · W_k (+ b_k)  from their l_{k−1} (l_0 = X);   l_k = f_k(z_k)  from their z_k;
    ŷ = f_L(z_L) from their z_L;   L from their ŷ (and z_L);   Δ_L from their ŷ (and z_L);
    Δ_k = (Δ_{k+1} · W_{k+1}ᵀ) * f′_k(z_k)  from their Δ_{k+1} and z_k (f′ from their l_k, else f_k(z_k));
    ∂L/∂W_k = l_{k−1}ᵀ · Δ_k  from their l_{k−1} and Δ_k;   ∂L/∂b_k = Σ_rows Δ_k  from their Δ_k.

Call it K. A claim that is not T but is K is ``correct``: ``carried_forward`` when one of those earlier
answers was wrong (not T), and plain ``correct`` when they were all right (K then differs from T only by
the rounding of the earlier answers). K is known only to within its spread, the move of the learner's
written values by half a unit of their last digit (:mod:`gradcore.teaching.spread`): the claim is K when
it is right against the value nearest to it within the spread, whether the learner computed on from the
numbers they wrote or from longer ones. With wrong earlier answers, a claim that is not K is diagnosed
against K first (its mistake given the learner's own values, f′ left out of that step included), then
against T. A wrong earlier answer that makes the step trivial carries no credit: all zeros, or a copy of a
given (X, Y, a W_j or its transpose, a b_j); nor does a K of all zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from gradcore.core.errors import ShapeError
from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.teaching.answers import Answer, Graded, Key, answer_problems, claimed, order, pointer, symbol
from gradcore.teaching.combined import Alternative
from gradcore.teaching.comparison import Comparison, is_right, right_entries
from gradcore.teaching.judging import MAX_WRONG, Diagnosis, WrongEntry, alternatives_of, judge, matches
from gradcore.teaching.mistakes import candidates, forgetful_sets, usual_causes, without_derivatives
from gradcore.teaching.ownvalues import own_value
from gradcore.teaching.rounding import Match, digits
from gradcore.teaching.spread import written_radius


class _Grader:
    """The state of one grading: the true pass, the learner's values so far, and which were right."""

    def __init__(
        self, layers: Sequence[Layer], X: Array, Y: Array, answer: Answer, name: str, comparison: Comparison
    ) -> None:
        self.layers, self.X, self.Y, self.answer, self.name, self.comparison = layers, X, Y, answer, name, comparison
        self.cache: Cache = forward(layers, X)
        self.true: Gradients = backward(layers, self.cache, Y, name)
        self._forgetful: list[tuple[tuple[int, ...], Gradients]] | None = None
        self.m, self.n_L = X.shape[0], layers[-1].W.shape[1]
        self.right: dict[Key, bool] = {}
        self._trivial: dict[Key, str | None] = {}
        W = [layer.W for layer in layers]
        self.givens = [("X", X), ("Y", Y), *((f"W_{k + 1}", w) for k, w in enumerate(W))]
        self.givens += [(f"W_{k + 1}ᵀ", w.T) for k, w in enumerate(W)]
        self.givens += [(f"b_{k + 1}", layer.b) for k, layer in enumerate(layers) if layer.b is not None]

    def truth(self, key: Key) -> Array:
        kind, k = key
        if kind == "loss":
            return np.array(self.true.loss)
        if kind == "output":
            return self.cache.output
        values = {
            "pre_activation": self.cache.Z,
            "activation": self.cache.A,
            "delta": self.true.delta,
            "weights_gradient": self.true.dW,
        }
        if kind == "bias_gradient":
            db = self.true.db[k - 1]
            return np.zeros(0) if db is None else db  # order() lists ∂L/∂b_k only for layers with a bias
        return values[kind][k - 1]

    def claim(self, key: Key) -> Array | None:
        """The learner's value of a quantity, or None; ŷ = l_L is given as ``output`` or as the last layer's
        ``activation`` (``output`` first, when both are)."""
        value = claimed(self.answer, key)
        if key == ("output", 0) and value is None:
            value = claimed(self.answer, ("activation", len(self.layers)))
        return value

    def mine(self, key: Key, used: list[Key]) -> Array:
        """The learner's value (oriented like the truth) if given, else the true one; notes the key in ``used``."""
        if key == ("activation", 0):
            return self.X
        value = self.claim(key)
        T = self.truth(key)
        if value is None:
            return T
        used.append(key)
        return value.T if value.shape != T.shape and value.ndim == 2 else value.reshape(T.shape)

    def radius(self, key: Key, value: Array, used: list[Key]) -> Array:
        """How far the learner's ``value`` of ``key`` (:meth:`mine`) may be from the one they computed on: half a
        unit of its last digit when it is wrong; when it is right, its distance to the true value (they computed
        on from the one or the other); 0 when they gave none (the true value is used)."""
        if key not in used:
            return np.zeros(value.shape)
        return np.abs(value - self.truth(key)) if self.right.get(key, True) else written_radius(value)

    def carried(self, key: Key) -> tuple[Array | None, Array, list[Key], list[Alternative]]:
        """K, the quantity from the learner's own values (None when none of them was given), its spread
        (:mod:`gradcore.teaching.ownvalues`) and its local alternative (this step's f′ left out)."""
        used: list[Key] = []

        def given(q: Key) -> tuple[Array, Array]:
            value = self.mine(q, used)
            return value, self.radius(q, value, used)

        def answered(q: Key) -> bool:
            return claimed(self.answer, q) is not None

        K, spread, local = own_value(key, self.layers, self.Y, self.name, given, answered)
        if not used or not np.all(np.isfinite(K)):
            return None, spread, used, []
        return K, spread, used, alternatives_of(local, K, self.layers, self.comparison.rtol)

    def trivial(self, key: Key) -> str | None:
        """Why the learner's wrong earlier value of ``key`` carries no credit: all zeros, or a copy of a given;
        None if neither (found once per key)."""
        if key not in self._trivial:
            value = self.mine(key, [])
            d = digits(value)
            copies = (
                f"a copy of the given {name}"
                for name, given in self.givens
                if given.shape == value.shape and is_right(value, given, self.comparison, d)
            )
            self._trivial[key] = next(copies, None) if np.any(value) else "all zeros"
        return self._trivial[key]

    def global_alternatives(self, key: Key, T: Array) -> list[Alternative]:
        kind, k = key
        if kind not in ("delta", "weights_gradient", "bias_gradient"):
            return []
        field = {"delta": "delta", "weights_gradient": "dW", "bias_gradient": "db"}[kind]
        if self._forgetful is None:  # only for a claim that is not right: most are
            sets = forgetful_sets(self.layers, self.name)
            self._forgetful = [(S, without_derivatives(self.layers, self.cache, self.Y, self.name, S)) for S in sets]
        values = [(S, getattr(g, field)[k - 1]) for S, g in self._forgetful if min(S) >= k]
        return alternatives_of([(S, R) for S, R in values if R is not None], T, self.layers, self.comparison.rtol)

    def judge(
        self, C: Array, R: Array, key: Key, alternatives: Sequence[Alternative] | Callable[[], Sequence[Alternative]]
    ) -> Diagnosis:
        kind, k = key
        backward_part = kind in ("loss", "delta", "weights_gradient", "bias_gradient")
        factors = candidates(self.m, self.n_L, self.name) if backward_part else ()
        causes_of: Callable[[float], str] | None = None
        if kind != "loss" and backward_part:

            def causes_of(alpha: float) -> str:
                return usual_causes(alpha, self.m, self.n_L, self.name, self.comparison.rtol)

        what = symbol(kind, k)
        C = _aligned(C, R)
        with np.errstate(all="ignore"):
            return judge(
                C, R, alternatives, what, self.comparison, factors, causes_of, k if kind == "weights_gradient" else None
            )

    def match(self, C: Array, R: Array) -> Match | None:
        """How C is R (a vector or number read in R's shape), or None: the first step of :meth:`judge`, alone."""
        C = _aligned(C, R)
        if C.shape != R.shape:
            return None
        with np.errstate(all="ignore"):
            return matches(C, R, self.comparison, digits(C))

    def within_spread(self, C: Array, K: Array, spread: Array) -> Match | None:
        """How C is the value nearest to it within ``spread`` of K, or None."""
        C = _aligned(C, K)
        if C.shape != K.shape or not np.all(np.isfinite(spread)):
            return None
        return self.match(C, np.clip(C, K - spread, K + spread))

    def grade(self, key: Key, carry_forward: bool) -> Graded:
        """The grade of one quantity: right against T; else right given the learner's own earlier values (K,
        within its spread); else the mistake found against K or T. The mistakes are searched for last, since
        most claims that are not T are K."""
        C = self.claim(key)
        T = self.truth(key)
        where, what = pointer(key), symbol(*key)
        if C is None:
            return Graded(where, what, "unanswered", (), f"{what} was not answered", T)

        def diagnosis() -> Diagnosis:
            return self.judge(C, T, key, lambda: self.global_alternatives(key, T))

        self.right[key] = self.match(C, T) is not None
        if self.right[key]:
            return _graded(where, what, diagnosis(), T, C, self.comparison)
        K, spread, used, local = self.carried(key)
        wrong_inputs = [u for u in used if not self.right.get(u, True)]
        if K is None or (wrong_inputs and not carry_forward):
            return _graded(where, what, diagnosis(), T, C, self.comparison)
        found = self.match(C, K) or self.within_spread(C, K, spread)
        names = ", ".join(symbol(*u) for u in wrong_inputs)
        if found is not None and not wrong_inputs:
            self.right[key] = True
            hint = f"the claim is {what} computed from your own (rounded) earlier values"
            return Graded(where, what, "correct", (), hint, T, rounded_to=found.rounded_to)
        if found is not None:
            why = [reason for u in wrong_inputs if (reason := self.trivial(u)) is not None]
            if not why and float(np.max(np.abs(K))) <= 1e-6 * float(np.max(np.abs(T))):
                why = ["zero"]
            if why:
                verdict = diagnosis()
                hint = f"{verdict.hint} (no credit carried forward: your {names} makes {what} trivial, {why[0]})"
                return _graded(where, what, replace(verdict, hint=hint), T, C, self.comparison)
            hint = f"the claim is {what} computed from your own {names}: right given them (error carried forward)"
            return Graded(where, what, "correct", (), hint, T, carried_forward=True, rounded_to=found.rounded_to)
        verdict = diagnosis()
        own = self.judge(C, K, key, local) if wrong_inputs else verdict
        if wrong_inputs and (own.mistakes or not verdict.mistakes):
            return _graded(where, what, replace(own, hint=f"given your own {names}, {own.hint}"), T, C, self.comparison)
        return _graded(where, what, verdict, T, C, self.comparison)


def _aligned(C: Array, R: Array) -> Array:
    """C in R's shape when one of them is a number or a vector of its size (a matrix stays as given)."""
    return C.reshape(R.shape) if C.size == R.size and (C.ndim < 2 or R.ndim < 2) else C


def _graded(where: str, what: str, diagnosis: Diagnosis, T: Array, C: Array, comparison: Comparison) -> Graded:
    """The grade of a diagnosed claim C; a wrong claim lists its wrong entries against the diagnosis's reference
    (T, or the value from the learner's own earlier answers), in C's own indexing."""
    wrong, count = diagnosis.wrong, diagnosis.wrong_count
    if diagnosis.verdict != "correct" and not wrong:
        R = diagnosis.expected
        R = R.T if C.shape != R.shape and C.ndim == 2 else R.reshape(C.shape) if C.size == R.size else R
        if R.shape == C.shape:
            mask = ~right_entries(C, R[np.newaxis], comparison, digits(C))[0][0]
            wrong = tuple(
                WrongEntry(tuple(int(i) for i in at), float(R[tuple(at)]), float(C[tuple(at)]))
                for at in np.argwhere(mask)[:MAX_WRONG]
            )
            count = int(mask.sum())
    return Graded(
        where, what, diagnosis.verdict, diagnosis.mistakes, diagnosis.hint, T, False, wrong, count, diagnosis.rounded_to
    )


def grade(
    layers: Sequence[Layer],
    X: Array,
    Y: Array,
    answer: Answer,
    name: str = "half_squared_error",
    comparison: Comparison | None = None,
    carry_forward: bool = True,
    unanswered: bool = False,
) -> list[Graded]:
    """Grade a partial answer quantity by quantity (see the module docstring).

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 first.
    X : ndarray, shape (m, n_0)
        The inputs.
    Y : ndarray, shape (m, n_L)
        The targets.
    answer : Answer
        The learner's answer: any subset of the quantities (shapes: :func:`gradcore.teaching.answers.answer_problems`).
    name : str
        A key of :data:`gradcore.LOSSES`.
    comparison : Comparison, optional
        When a claim is its reference; :class:`~gradcore.teaching.comparison.Comparison`'s default.
    carry_forward : bool
        Whether a claim right given the learner's own wrong earlier answers is ``correct``.
    unanswered : bool
        Also list the quantities not answered (verdict ``unanswered``).

    Returns
    -------
    list of Graded
        One per answered quantity (per quantity with ``unanswered``), in the order of :func:`order`.

    Raises
    ------
    ShapeError
        If the network, X, Y or the answer's shapes do not fit together.
    ParameterError
        If the comparison's parameters are out of range.
    """
    comparison = (comparison or Comparison()).check()
    problems = answer_problems(layers, X, answer)
    if problems:
        raise ShapeError(problems)
    grader = _Grader(layers, X, Y, answer, name, comparison)
    graded = [grader.grade(key, carry_forward) for key in order(layers)]
    return [entry for entry in graded if unanswered or entry.verdict != "unanswered"]
