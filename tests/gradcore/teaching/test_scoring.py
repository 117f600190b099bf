"""The score Σ w · credit / Σ w: a weighted mean of the credits, whatever the scale of the weights."""

from __future__ import annotations

import sys

import pytest

from gradcore.teaching.scoring import score

CREDITS = [1.0, 0.5, 0.0, 1.0]
WEIGHTS = [1.0, 2.0, 1.0, 0.0]


@pytest.mark.parametrize("scale", [1.0, 1e-300, 1e300, sys.float_info.max / 2])
def test_the_score_is_the_same_when_every_weight_is_scaled(scale: float) -> None:
    """(1 · 1 + 0.5 · 2 + 0 · 1 + 1 · 0) / (1 + 2 + 1 + 0) = 0.5, for the weights times any positive factor
    that keeps them finite (the largest float among them included)."""
    assert score(CREDITS, [w * scale for w in WEIGHTS]) == pytest.approx(0.5, rel=1e-12)


def test_every_weight_zero_scores_zero() -> None:
    assert score(CREDITS, [0.0] * 4) == 0.0
