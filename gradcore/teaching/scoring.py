"""Credit and score of a graded answer: a weight per quantity, a credit factor per diagnosed mistake.

The credit of one graded quantity is 1 when it is ``correct`` (times ``carried_credit`` when it is only
right given the learner's own earlier wrong answers), 0 when it is unanswered or ``incorrect`` with no
usual mistake found, and otherwise the product of the credit factors of its mistakes (a sign slip earns
0 by default, so any combination with one does too). The score is the weighted mean of the credits,
Σ w_q · credit_q / Σ w_q over every quantity of the problem, in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gradcore.teaching.answers import Graded

MISTAKE_CREDIT: dict[str, float] = {
    "sign_flipped": 0.0,
    "transposed": 0.5,
    "missing_activation_derivative": 0.5,
    "scaled": 0.5,
    "one_wrong_entry": 0.5,
    "rounded_to_1_digit": 0.5,
}
"""The default credit factor of each diagnosed mistake."""


def credit(entry: Graded, mistake_credit: Mapping[str, float] = MISTAKE_CREDIT, carried_credit: float = 1.0) -> float:
    """The credit in [0, 1] of one graded quantity (see the module docstring)."""
    if entry.verdict == "correct":
        return carried_credit if entry.carried_forward else 1.0
    if entry.verdict == "unanswered" or not entry.mistakes:
        return 0.0
    value = 1.0
    for mistake in entry.mistakes:
        value *= mistake_credit.get(mistake, MISTAKE_CREDIT.get(mistake, 0.0))
    return value


def score(credits: Sequence[float], weights: Sequence[float]) -> float:
    """Σ w_q · credit_q / Σ w_q, in [0, 1]; 0 when every weight is 0.

    The weights are divided by the largest first (the ratio is the same), so that finite weights near the
    largest float cannot make the sums overflow.
    """
    largest = max(weights, default=0.0)
    if largest <= 0:
        return 0.0
    scaled = [w / largest for w in weights]
    return sum(c * w for c, w in zip(credits, scaled, strict=True)) / sum(scaled)
