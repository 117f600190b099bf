"""ŷ = l_L is one quantity: graded once, at ``/output``, whether the learner gives it as ``output`` or as the last
layer's ``activation``; never also listed as an unanswered l_L."""

from __future__ import annotations

import numpy as np
import pytest

from gradcore import Layer
from gradcore.teaching.answers import Answer, LayerAnswer
from gradcore.teaching.grading import grade

RNG = np.random.default_rng(28)
LAYERS = [Layer(RNG.normal(size=(3, 2)), "tanh", RNG.normal(size=2)), Layer(RNG.normal(size=(2, 2)), "sigmoid")]
X, Y = RNG.normal(size=(4, 3)), RNG.uniform(size=(4, 2))


def y_hat() -> np.ndarray:
    """ŷ computed here from the seed's formulas, not by gradcore."""
    l_1 = np.tanh(X @ LAYERS[0].W + LAYERS[0].b)
    return np.asarray(1 / (1 + np.exp(-(l_1 @ LAYERS[1].W))))


@pytest.mark.parametrize(
    "answer",
    [Answer(output=y_hat()), Answer(layers=(LayerAnswer(), LayerAnswer(activation=y_hat())))],
    ids=["output", "last-activation"],
)
def test_y_hat_is_one_quantity_however_it_is_given(answer: Answer) -> None:
    graded = grade(LAYERS, X, Y, answer, unanswered=True)
    pointers = [g.pointer for g in graded]
    assert "/layers/1/activation" not in pointers
    assert pointers.count("/output") == 1
    # z_1, z_2; l_1; ŷ; L; Δ_2, Δ_1; ∂L/∂W_1, ∂L/∂b_1 (layer 1 has a bias), ∂L/∂W_2
    assert len(pointers) == 2 + 1 + 1 + 1 + 2 + 3
    [output] = [g for g in graded if g.pointer == "/output"]
    assert output.verdict == "correct"
    assert [g.verdict for g in graded if g.pointer != "/output"] == ["unanswered"] * (len(pointers) - 1)


def test_output_counts_when_both_are_given_and_a_wrong_y_hat_carries_forward_to_the_loss() -> None:
    wrong = y_hat() + 0.1
    answer = Answer(
        loss=np.array(0.5 * np.sum((Y - wrong) ** 2)),
        output=wrong,
        layers=(LayerAnswer(), LayerAnswer(activation=y_hat())),
    )
    graded = {g.pointer: g for g in grade(LAYERS, X, Y, answer)}
    assert set(graded) == {"/output", "/loss"}
    assert graded["/output"].verdict != "correct"
    assert graded["/loss"].verdict == "correct"
    assert graded["/loss"].carried_forward
