"""gradcore.teaching.claims.claim_problems: each problem at its location, ``("claimed_gradients", k)`` or
``("claimed_bias_gradients", k)`` with k from 0, and a message that counts layers from 1 and names the shapes."""

from __future__ import annotations

import numpy as np

from gradcore import Layer
from gradcore.teaching.claims import claim_problems

LAYERS = [Layer(W=np.ones((3, 2)), b=np.ones(2)), Layer(W=np.ones((2, 4)), b=np.ones(4))]
"""W_1 is 3 × 2 (n_0 = 3, n_1 = 2), W_2 is 2 × 4 (n_2 = 4); both layers have a bias."""
GOOD = [np.ones((3, 2)), np.ones((4, 2))]  # W_1's shape, and W_2ᵀ's


def test_claims_of_the_shapes_of_w_and_w_transposed_have_no_problems() -> None:
    assert claim_problems(LAYERS, GOOD) == []
    assert claim_problems(LAYERS, GOOD, [np.ones(2), np.ones(4)]) == []
    assert claim_problems(LAYERS, GOOD, [None, None]) == []


def test_a_weights_claim_of_neither_shape_names_both_as_n_k_minus_1_by_n_k() -> None:
    [problem] = claim_problems(LAYERS, [GOOD[0], np.ones((3, 3))])
    assert problem.location == ("claimed_gradients", 1)
    for words in ("∂L/∂W_2", "3 × 3", "2 × 4", "n_1 × n_2", "4 × 2"):
        assert words in problem.message


def test_a_weights_claim_of_three_dimensions_is_not_a_matrix() -> None:
    [problem] = claim_problems(LAYERS, [np.ones((3, 2, 1)), GOOD[1]])
    assert problem.location == ("claimed_gradients", 0)
    assert "∂L/∂W_1 must be a matrix" in problem.message
    assert "3 × 2 × 1" in problem.message
    assert "flat list" not in problem.message


def test_a_weights_claim_that_is_not_finite_is_located() -> None:
    wrong = np.ones((2, 4))
    wrong[1, 3] = np.nan
    [problem] = claim_problems(LAYERS, [GOOD[0], wrong])
    assert problem.location == ("claimed_gradients", 1)
    assert "∂L/∂W_2" in problem.message
    assert "not finite" in problem.message


def test_a_bias_list_of_the_wrong_length_is_one_problem_after_the_weights_ones() -> None:
    [problem] = claim_problems(LAYERS, GOOD, [np.ones(2)])
    assert problem.location == ("claimed_bias_gradients",)
    assert "expected 2 entries" in problem.message
    assert "not 1" in problem.message
    problems = claim_problems(LAYERS, [GOOD[0], np.ones(3)], [np.ones(2)] * 3)
    assert [p.location for p in problems] == [("claimed_gradients", 1), ("claimed_bias_gradients",)]


def test_a_bias_claim_after_an_unclaimed_one_is_still_checked() -> None:
    [problem] = claim_problems(LAYERS, GOOD, [None, np.ones((2, 2))])
    assert problem.location == ("claimed_bias_gradients", 1)
    assert "∂L/∂b_2 has shape 2 × 2" in problem.message
    assert "b_2 has 4 entries" in problem.message


def test_a_bias_claim_that_is_not_finite_is_located() -> None:
    [problem] = claim_problems(LAYERS, GOOD, [np.array([1.0, np.inf]), np.ones(4)])
    assert problem.location == ("claimed_bias_gradients", 0)
    assert "∂L/∂b_1" in problem.message
    assert "not finite" in problem.message


def test_a_bias_claim_for_a_layer_without_a_bias_says_to_write_null() -> None:
    layers = [LAYERS[0], Layer(W=np.ones((2, 4)))]
    [problem] = claim_problems(layers, GOOD, [None, np.ones(4)])
    assert problem.location == ("claimed_bias_gradients", 1)
    assert "no bias b_2" in problem.message
