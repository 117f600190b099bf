"""Every rule of gradcore/core/shapes.py: the problem, its location and its message."""

from __future__ import annotations

import numpy as np
import pytest

import gradcore
from gradcore import GradcoreError, Layer, Problem, ShapeError, backward, forward, loss, shape_problems


def ones(*shape: int) -> np.ndarray:
    return np.ones(shape)


def only_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_network_has_no_problems() -> None:
    layers = [Layer(W=ones(3, 2), b=ones(2)), Layer(W=ones(2, 1), activation="relu")]
    assert shape_problems(layers, ones(4, 3), ones(4, 1), "half_squared_error") == []
    assert shape_problems(layers, ones(4, 3)) == []


def test_error_hierarchy() -> None:
    assert issubclass(ShapeError, GradcoreError)
    assert issubclass(gradcore.NonFiniteError, GradcoreError)
    assert issubclass(GradcoreError, ValueError)
    error = ShapeError([Problem(("inputs",), "first"), Problem(("targets",), "second")])
    assert str(error) == "first; second"
    assert [p.location for p in error.problems] == [("inputs",), ("targets",)]


def test_empty_layer_list() -> None:
    problem = only_problem(shape_problems([], ones(1, 1)))
    assert problem.location == ("layers",)
    assert "at least one layer" in problem.message
    with pytest.raises(ShapeError):
        forward([], ones(1, 1))


def test_w1_rows_must_match_the_inputs() -> None:
    layers = [Layer(W=ones(3, 2))]
    problem = only_problem(shape_problems(layers, ones(5, 4)))
    assert problem.location == ("layers", 0, "weights")
    assert "W_1" in problem.message
    assert "3 × 2" in problem.message
    assert "4 columns" in problem.message
    with pytest.raises(ShapeError) as info:
        forward(layers, ones(5, 4))
    assert [p.location for p in info.value.problems] == [("layers", 0, "weights")]


def test_next_layer_rows_must_match_previous_columns() -> None:
    layers = [Layer(W=ones(4, 2)), Layer(W=ones(3, 1))]
    problem = only_problem(shape_problems(layers, ones(1, 4)))
    assert problem.location == ("layers", 1, "weights")
    assert "W_2" in problem.message
    assert "3 × 1" in problem.message
    assert "2 columns" in problem.message
    assert "layer 1" in problem.message
    with pytest.raises(ShapeError, match="3 × 1") as info:
        forward(layers, ones(1, 4))
    assert isinstance(info.value, GradcoreError)
    assert isinstance(info.value, ValueError)


def test_every_mismatch_is_reported_at_once() -> None:
    layers = [Layer(W=ones(2, 3)), Layer(W=ones(4, 5)), Layer(W=ones(6, 1))]
    problems = shape_problems(layers, ones(1, 9))
    assert [p.location for p in problems] == [("layers", k, "weights") for k in range(3)]
    with pytest.raises(ShapeError) as info:
        forward(layers, ones(1, 9))
    assert len(info.value.problems) == 3


@pytest.mark.parametrize("b", [np.ones(3), np.ones((1, 2)), np.ones((2, 1)), np.float64(1.0)])
def test_bias_must_have_n_k_entries(b: np.ndarray) -> None:
    layers = [Layer(W=ones(4, 2), b=b)]
    problem = only_problem(shape_problems(layers, ones(1, 4)))
    assert problem.location == ("layers", 0, "bias")
    assert "b_1" in problem.message
    assert "4 × 2" in problem.message
    assert "2 entries" in problem.message
    with pytest.raises(ShapeError):
        forward(layers, ones(1, 4))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_bias_must_be_finite(bad: float) -> None:
    layers = [Layer(W=ones(1, 2)), Layer(W=ones(2, 2), b=np.array([0.0, bad]))]
    problem = only_problem(shape_problems(layers, ones(1, 1)))
    assert problem.location == ("layers", 1, "bias")
    assert "not finite" in problem.message


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_false_leaves_the_values_to_the_caller_and_checks_the_shapes(bad: float) -> None:
    X, W, b, Y = ones(2, 2), ones(2, 2), np.array([0.0, bad]), ones(2, 2)
    X[0, 1] = W[1, 0] = Y[1, 1] = bad
    layers = [Layer(W=W, b=b)]
    found = {problem.location for problem in shape_problems(layers, X, Y, "half_squared_error")}
    assert found == {("inputs",), ("layers", 0, "weights"), ("layers", 0, "bias")}  # Y is looked at once they fit
    assert "not finite" in only_problem(shape_problems([Layer(W=ones(2, 2))], ones(2, 2), Y)).message
    assert shape_problems(layers, X, Y, "half_squared_error", check_finite=False) == []
    (problem,) = shape_problems(layers, X, ones(3, 2), check_finite=False)
    assert problem.location == ("targets",)


@pytest.mark.parametrize(
    ("a", "words"),
    [
        (np.ones(3), "must be a matrix"),
        (np.ones((1, 2, 2)), "must be a matrix"),
        (np.float64(1.0), "a scalar"),
        (np.ones((0, 2)), "empty"),
        (np.ones((2, 0)), "empty"),
        (np.array([[1.0, np.nan]]), "not finite"),
        (np.array([[np.inf], [1.0]]), "not finite"),
        (np.array([[-np.inf]]), "not finite"),
    ],
)
def test_matrices_must_be_2d_non_empty_and_finite(a: np.ndarray, words: str) -> None:
    good_X, good_W, good_Y = ones(2, 2), ones(2, 2), ones(2, 2)

    problem = only_problem(shape_problems([Layer(W=good_W)], a))
    assert problem.location == ("inputs",)
    assert "the inputs X" in problem.message
    assert words in problem.message

    problem = only_problem(shape_problems([Layer(W=good_W), Layer(W=a)], good_X))
    assert problem.location == ("layers", 1, "weights")
    assert "W_2" in problem.message
    assert words in problem.message

    problem = only_problem(shape_problems([Layer(W=good_W)], good_X, a))
    assert problem.location == ("targets",)
    assert "the targets Y" in problem.message
    assert words in problem.message

    with pytest.raises(ShapeError):
        forward([Layer(W=good_W)], a)
    cache = forward([Layer(W=good_W)], good_X)
    with pytest.raises(ShapeError):
        backward([Layer(W=good_W)], cache, a)
    with pytest.raises(ShapeError):
        loss([Layer(W=good_W)], cache, a)
    assert backward([Layer(W=good_W)], cache, good_Y).dW[0].shape == (2, 2)


@pytest.mark.parametrize("Y_shape", [(3, 1), (2, 2), (1, 2), (2, 1, 1)])
def test_targets_must_be_m_by_n_l(Y_shape: tuple[int, ...]) -> None:
    layers = [Layer(W=ones(3, 4)), Layer(W=ones(4, 2))]
    X = ones(3, 3)
    problem = only_problem(shape_problems(layers, X, np.ones(Y_shape)))
    assert problem.location == ("targets",)
    if len(Y_shape) == 2:
        assert " × ".join(map(str, Y_shape)) in problem.message
        assert "3 × 2" in problem.message  # the output ŷ, m × n_L
    with pytest.raises(ShapeError) as info:
        backward(layers, forward(layers, X), np.ones(Y_shape))
    assert info.value.problems[0].location == ("targets",)


def test_unknown_activation() -> None:
    layers = [Layer(W=ones(2, 2)), Layer(W=ones(2, 1), activation="softplus")]
    problem = only_problem(shape_problems(layers, ones(1, 2)))
    assert problem.location == ("layers", 1, "activation")
    assert "'softplus'" in problem.message
    for name in gradcore.ACTIVATIONS:
        assert name in problem.message
    with pytest.raises(ShapeError):
        forward(layers, ones(1, 2))


def test_unknown_activation_and_wrong_shape_in_one_layer() -> None:
    layers = [Layer(W=ones(3, 1), activation="step")]
    problems = shape_problems(layers, ones(1, 2))
    assert sorted(p.location for p in problems) == [("layers", 0, "activation"), ("layers", 0, "weights")]


def test_unknown_loss() -> None:
    layers = [Layer(W=ones(2, 1))]
    X, Y = ones(1, 2), ones(1, 1)
    problem = only_problem(shape_problems(layers, X, Y, "hinge"))
    assert problem.location == ("loss",)
    assert "'hinge'" in problem.message
    for name in gradcore.LOSSES:
        assert name in problem.message
    cache = forward(layers, X)
    with pytest.raises(ShapeError):
        loss(layers, cache, Y, "hinge")
    with pytest.raises(ShapeError):
        backward(layers, cache, Y, "hinge")


@pytest.mark.parametrize("last", ["tanh", "relu", "linear"])
def test_binary_cross_entropy_needs_a_sigmoid_last_layer(last: str) -> None:
    layers = [Layer(W=ones(2, 2)), Layer(W=ones(2, 3)), Layer(W=ones(3, 1), activation=last)]
    X, Y = ones(1, 2), np.full((1, 1), 0.5)
    problem = only_problem(shape_problems(layers, X, Y, "binary_cross_entropy"))
    assert problem.location == ("layers", 2, "activation")
    assert "sigmoid" in problem.message
    assert last in problem.message
    assert "layer 3" in problem.message
    with pytest.raises(ShapeError):
        backward(layers, forward(layers, X), Y, "binary_cross_entropy")
    # The other losses accept any last activation.
    for name in ("half_squared_error", "mean_squared_error"):
        assert shape_problems(layers, X, Y, name) == []


@pytest.mark.parametrize("bad", [-0.5, 1.5, -1e-12, 1.0 + 1e-12])
def test_binary_cross_entropy_targets_in_0_1(bad: float) -> None:
    layers = [Layer(W=ones(2, 2))]
    X = ones(2, 2)
    Y = np.array([[0.0, 1.0], [0.5, bad]])
    problem = only_problem(shape_problems(layers, X, Y, "binary_cross_entropy"))
    assert problem.location == ("targets",)
    assert "[0, 1]" in problem.message
    with pytest.raises(ShapeError):
        backward(layers, forward(layers, X), Y, "binary_cross_entropy")
    # The bounds 0 and 1 themselves are fine, and other losses take any target.
    assert shape_problems(layers, X, np.array([[0.0, 1.0], [1.0, 0.0]]), "binary_cross_entropy") == []
    assert shape_problems(layers, X, Y, "half_squared_error") == []


def test_loss_and_target_problems_are_reported_together() -> None:
    layers = [Layer(W=ones(2, 1), activation="linear")]
    problems = shape_problems(layers, ones(1, 2), ones(2, 1), "binary_cross_entropy")
    assert sorted(p.location for p in problems) == [("layers", 0, "activation"), ("targets",)]


def test_layer_problems_come_before_target_checks() -> None:
    """When the layers do not chain, n_L is not known, so only the layer problems are listed."""
    layers = [Layer(W=ones(3, 1))]
    problems = shape_problems(layers, ones(1, 2), ones(5, 5), "hinge")
    assert [p.location for p in problems] == [("layers", 0, "weights")]
