"""service.domain.limits: the screen before parsing never refuses a request within the limits; exact checks; budgets."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcore import Layer, parameter_count
from service.api.schemas.requests import GradientsRequest
from service.domain import limits
from service.domain.errors import ServiceError
from service.domain.fastpath import counting, screen
from service.domain.fastpath.context import ReadContext
from service.domain.settings import Settings


@st.composite
def valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Valid gradients requests of every form: scalars, flat lists, m × 1 columns, biases, compact or spaced JSON."""
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=6))
    m = draw(st.integers(1, 6))
    number = st.floats(-10, 10, allow_nan=False)
    layers = []
    for n_in, n_out in itertools.pairwise(widths):
        layer: dict[str, Any] = {"weights": [[draw(number) for _ in range(n_out)] for _ in range(n_in)]}
        if draw(st.booleans()):
            layer["bias"] = [draw(number) for _ in range(n_out)]
        if draw(st.booleans()):
            layer["activation"] = draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]))
        layers.append(layer)
    X = [[draw(number) for _ in range(widths[0])] for _ in range(m)]
    Y = [[draw(st.floats(0, 1)) for _ in range(widths[-1])] for _ in range(m)]
    inputs: Any = X[0] if m == 1 and draw(st.booleans()) else X
    targets: Any = [row[0] for row in Y] if widths[-1] == 1 and draw(st.booleans()) else Y
    return {"network": {"layers": layers}, "inputs": inputs, "targets": targets, "loss": "half_squared_error"}


def exact_limits(body: dict[str, Any]) -> Settings:
    """Settings whose every limit is exactly what ``body`` needs."""
    request = GradientsRequest.model_validate(body)
    layers, X = request.layers, request.inputs
    widths = [X.shape[1], *(layer.W.shape[1] for layer in layers)]
    return Settings(
        max_numbers=parameter_count(layers) + X.size + request.targets.size,
        max_layers=len(layers),
        max_width=max(widths),
        max_batch=X.shape[0],
        max_activations=X.shape[0] * sum(widths[1:]),
        max_work=limits.forward_work(layers, X.shape[0]),
    )


@settings(max_examples=200, derandomize=True, database=None)
@given(valid_requests(), st.sampled_from([(",", ":"), (", ", ": "), (" , ", " : ")]))
def test_a_request_exactly_at_every_limit_passes(body: dict[str, Any], separators: tuple[str, str]) -> None:
    at_limits = exact_limits(body)
    text = json.dumps(body, separators=separators).encode()
    screen.screen_body(text, at_limits)
    request = GradientsRequest.model_validate_json(text, context=ReadContext(at_limits))
    assert request.inputs.shape[0] == at_limits.max_batch


@settings(max_examples=100, derandomize=True, database=None)
@given(valid_requests(), st.sampled_from(["max_numbers", "max_layers", "max_width", "max_batch", "max_activations"]))
def test_a_request_one_over_a_limit_is_refused(body: dict[str, Any], name: str) -> None:
    below = exact_limits(body).model_copy(update={name: getattr(exact_limits(body), name) - 1})
    if getattr(below, name) < 1:
        return
    text = json.dumps(body).encode()

    def screen_then_validate() -> None:
        screen.screen_body(text, below)
        GradientsRequest.model_validate_json(text, context=ReadContext(below))

    with pytest.raises(ServiceError) as refused:
        screen_then_validate()
    assert refused.value.extensions == {
        "limit": {"name": name, "setting": limits.setting_of(name), "value": getattr(below, name)}
    }


def test_a_column_of_m_numbers_is_the_worst_case_of_the_screen() -> None:
    """[[x_1], …, [x_m]] has m numbers but 2m − 1 commas and m + 1 brackets: still within 2 × max_numbers."""
    m = 1000
    body = {"network": {"layers": [{"weights": [[1.0]]}]}, "inputs": [[0.5]] * m, "targets": [[1.0]] * m}
    text = json.dumps(body).encode()
    screen.screen_body(text, Settings(max_numbers=2 * m + 1))
    with pytest.raises(ServiceError) as refused:
        screen.screen_body(text, Settings(max_numbers=m - 1))
    assert refused.value.status == 413


def test_the_screen_refuses_object_and_member_floods() -> None:
    most = screen.OBJECTS_PER_LAYER * 100 + screen.OTHER_OBJECTS
    screen.screen_body(b"[" + b"{}," * (most - 1) + b"{}]", Settings(max_layers=100))
    with pytest.raises(ServiceError) as objects:
        screen.screen_body(b"[" + b"{}," * most + b"{}]", Settings(max_layers=100))
    assert objects.value.extensions == {
        "limit": {"name": "max_layers", "setting": "GRADSERVICE_MAX_LAYERS", "value": 100}
    }
    members = b"{" + b",".join(b'"k%d":0' % i for i in range(17)) + b"}"
    with pytest.raises(ServiceError) as flood:
        screen.screen_body(members, Settings())
    assert flood.value.status == 422
    screen.screen_body(members[: members.rindex(b',"k16"')] + b"}", Settings())  # 16 members: a valid-looking count


def two_layers(bias: bool) -> list[Layer]:
    """W_1 is 3 × 2 (with b_1 of 2 when ``bias``), W_2 is 2 × 1."""
    b = np.zeros(2) if bias else None
    return [Layer(W=np.ones((3, 2)), b=b), Layer(W=np.ones((2, 1)))]


@pytest.mark.parametrize("bias", [False, True])
def test_work_counts(bias: bool) -> None:
    layers, m, steps = two_layers(bias), 4, 5
    P = 3 * 2 + 2 * 1 + (2 if bias else 0)  # Σ n_{k−1}·n_k (+ Σ n_k for biases)
    assert parameter_count(layers) == P
    assert limits.forward_work(layers, m) == m * (3 * 2 + 2 * 1)
    assert limits.train_work(layers, m, steps) == steps * P * m
    # 4 losses per parameter; layer 1's (3·2 + 2) move z_1's column (1), z_2 (1 number) and the loss (n_L = 1);
    # layer 2's (2) its column of z_2 and the loss
    P_1, P_2 = 3 * 2 + (2 if bias else 0), 2 * 1
    assert limits.check_work(layers, m) == 4 * m * (P_1 * (1 + 1 + 1) + P_2 * (1 + 1))


def test_deeper_check_work_counts_the_later_products() -> None:
    """n = 2-3-4-5, m = 2: a move in W_1 recomputes z_2 (3), then z_3 = l_2 · W_3 (4 numbers, 3·4 multiply-adds)."""
    layers = [Layer(W=np.ones((2, 3))), Layer(W=np.ones((3, 4))), Layer(W=np.ones((4, 5)))]
    per_move = [1 + 5 + (4 + 5) + 4 * 5, 1 + 5 + 5, 1 + 5]
    assert limits.check_work(layers, 2) == 4 * 2 * (6 * per_move[0] + 12 * per_move[1] + 20 * per_move[2])


def test_an_mnist_sized_check_fits_the_defaults() -> None:
    """784-64-10 with biases, m = 32: 50,890 parameters, within every limit of the check by default."""
    layers = [Layer(W=np.zeros((784, 64)), b=np.zeros(64)), Layer(W=np.zeros((64, 10)), b=np.zeros(10))]
    settings = Settings()
    assert parameter_count(layers) == 50_890 <= settings.max_check_parameters
    assert limits.check_work(layers, 32) <= settings.max_check_work
    assert limits.cost("check", layers, 32).work <= settings.max_request_work


def test_check_budget_refuses_only_above_the_limit() -> None:
    budget = Settings(max_train_work=200)
    limits.check_budget(budget, "max_train_work", 200, "steps × parameters × m")
    with pytest.raises(ServiceError) as refused:
        limits.check_budget(budget, "max_train_work", 201, "steps × parameters × m")
    problem = refused.value
    assert problem.status == 422
    assert problem.type == limits.LIMIT_EXCEEDED
    assert "steps × parameters × m = 201" in problem.detail
    assert "max_train_work = 200 (GRADSERVICE_MAX_TRAIN_WORK)" in problem.detail
    assert problem.extensions == {
        "limit": {"name": "max_train_work", "setting": "GRADSERVICE_MAX_TRAIN_WORK", "value": 200}
    }


def test_every_limit_is_a_setting_with_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["max_body_bytes", "max_numbers", "max_layers", "max_width", "max_batch", "max_activations", "max_work"]
    names += ["max_train_work", "max_check_work", "max_concurrency"]
    for value, name in enumerate(names, start=7):
        monkeypatch.setenv(limits.setting_of(name), str(value))
    from_env = Settings()
    assert [getattr(from_env, name) for name in names] == list(range(7, 7 + len(names)))


def test_the_docs_list_every_limit_with_its_default() -> None:
    page = (Path(__file__).resolve().parents[3] / "docs" / "errors-and-limits.md").read_text(encoding="utf-8")
    section = page[page.index("## Limits") :]
    rows = re.findall(r"^\| `GRADSERVICE_(MAX_\w+)` \| `(\d+)`", section, flags=re.MULTILINE)
    defaults = Settings()
    listed = {name.lower(): int(value) for name, value in rows}
    expected = {name: getattr(defaults, name) for name in type(defaults).model_fields if name.startswith("max_")}
    assert listed == expected


@pytest.mark.parametrize(
    "size",
    [
        *(0, 1, 100, counting.SMALL_COUNT // 5, counting.SMALL_COUNT // 5 + 1, 50_000),
        *(counting.SMALL_COUNT, counting.SMALL_COUNT + 1, counting.PIECE, 2 * counting.PIECE + 1, 5 * 10**6),
    ],
)
def test_counting_bytes_agrees_with_bytes_count_on_both_sides_of_each_threshold(size: int) -> None:
    rng = np.random.default_rng(size)
    body = rng.choice(np.frombuffer(b'{}[]:,"a1. ', dtype=np.uint8), size=size).tobytes()
    assert counting.count_bytes(body, b'{:,["') == [body.count(char) for char in b'{:,["']
    assert counting.count_bytes(body, b"[") == [body.count(b"[")]
