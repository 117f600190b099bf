"""``POST /v1/assignments``: valid /v1/gradients problems, an exact key, printable sheets, and clear refusals."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import numpy as np
import pytest

from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

TEMPLATE: dict[str, Any] = {
    "seed": 2026,
    "students": ["ada", "grace", "alan"],
    "sizes": [3, 2, 1],
    "activations": ["sigmoid", "sigmoid"],
    "loss": "half_squared_error",
    "examples": 2,
    "bias": True,
    "decimals": 2,
}
TEMPLATES = {
    "sigmoid-bias": TEMPLATE,
    "softmax-cross-entropy": {
        **TEMPLATE,
        "sizes": [2, 3, 2],
        "activations": ["tanh", "softmax"],
        "loss": "cross_entropy",
        "bias": False,
    },
    "relu-three-layers": {
        **TEMPLATE,
        "sizes": [2, 3, 2, 1],
        "activations": ["relu", "tanh", "linear"],
        "examples": 3,
        "decimals": 1,
    },
}


async def assignments(client: httpx.AsyncClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.post("/v1/assignments", json=body)
    assert response.status_code == 200, response.text
    problems: list[dict[str, Any]] = response.json()["problems"]
    return problems


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-u))


def seed_loss(problem: dict[str, Any], params: list[np.ndarray]) -> float:
    """L = Σ ½ (y − ŷ)² of a sigmoid network with biases, written out: params = [W_1, b_1, W_2, b_2]."""
    a = np.array(problem["inputs"])
    for W, b in zip(params[::2], params[1::2], strict=True):
        a = sigmoid(a @ W + b)
    return float(0.5 * np.sum((np.array(problem["targets"]) - a) ** 2))


@pytest.mark.parametrize("body", TEMPLATES.values(), ids=list(TEMPLATES))
async def test_every_problem_is_a_gradients_request_and_the_key_is_its_answer(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    problems = await assignments(client, {**body, "include": ["key"]})
    assert [entry["student"] for entry in problems] == body["students"]
    for entry in problems:
        problem = entry["problem"]
        assert set(problem) == {"network", "inputs", "targets", "loss"}
        assert len(problem["inputs"]) == body["examples"]
        assert [len(layer["weights"][0]) for layer in problem["network"]["layers"]] == body["sizes"][1:]
        response = await client.post("/v1/gradients", json=problem)
        assert response.status_code == 200, response.text
        expected, key = response.json(), entry["key"]
        assert key.keys() == expected.keys()
        np.testing.assert_allclose(key["loss"], expected["loss"], rtol=1e-12)
        for got, want in zip(key["layers"], expected["layers"], strict=True):
            for name in want:
                np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-15)


async def test_the_key_matches_central_differences_of_the_written_out_loss(client: httpx.AsyncClient) -> None:
    entry = (await assignments(client, {**TEMPLATE, "include": ["key"]}))[0]
    problem = entry["problem"]
    params = [
        np.array(layer[name], dtype=float) for layer in problem["network"]["layers"] for name in ("weights", "bias")
    ]
    assert entry["key"]["loss"] == pytest.approx(seed_loss(problem, params), rel=1e-12)
    h = 1e-6
    for index, P in enumerate(params):
        numerical = np.zeros_like(P)
        for position in np.ndindex(P.shape):
            up, down = [p.copy() for p in params], [p.copy() for p in params]
            up[index][position] += h
            down[index][position] -= h
            numerical[position] = (seed_loss(problem, up) - seed_loss(problem, down)) / (2 * h)
        layer = entry["key"]["layers"][index // 2]
        analytic = layer["weights_gradient" if index % 2 == 0 else "bias_gradient"]
        np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-10)


async def test_a_student_s_problem_does_not_depend_on_the_others(client: httpx.AsyncClient) -> None:
    first = await assignments(client, TEMPLATE)
    again = await assignments(client, {**TEMPLATE, "students": ["late", "alan", "ada", "grace"]})
    by_student = {entry["student"]: entry for entry in again}
    assert all(entry == by_student[entry["student"]] for entry in first)
    assert first[0]["problem"] != first[1]["problem"]
    other_seed = await assignments(client, {**TEMPLATE, "seed": 2027})
    assert other_seed[0]["problem"] != first[0]["problem"]


async def test_the_given_numbers_have_the_template_s_decimals(client: httpx.AsyncClient) -> None:
    for entry in await assignments(client, TEMPLATE):
        problem = entry["problem"]
        numbers = [problem["inputs"], problem["targets"]]
        numbers += [layer[name] for layer in problem["network"]["layers"] for name in ("weights", "bias")]
        for values in numbers:
            scaled = np.array(values) * 100
            np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-9)


def given(sheet: str, name: str) -> np.ndarray:
    """The matrix a sheet gives for ``name`` (``X``, ``W_1`` …), read back from its text."""
    found = re.search(rf"^{name} *= (\[.*?\])    \(", sheet, flags=re.MULTILINE)
    assert found is not None, name
    return np.array(json.loads(found.group(1)), dtype=float)


async def test_the_markdown_sheets_give_each_student_s_numbers_and_ask_for_every_quantity(
    client: httpx.AsyncClient,
) -> None:
    problems = await assignments(client, TEMPLATE)
    response = await client.post("/v1/assignments", json=TEMPLATE, headers={"Accept": "text/markdown"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    pages = response.text.split('<div style="page-break-after: always; break-after: page;"></div>')
    assert len(pages) == len(TEMPLATE["students"])
    for page, entry in zip(pages, problems, strict=True):
        problem = entry["problem"]
        assert f"# Backpropagation by hand: {entry['student']}" in page
        np.testing.assert_allclose(given(page, "X"), problem["inputs"], rtol=1e-12)
        np.testing.assert_allclose(given(page, "Y"), problem["targets"], rtol=1e-12)
        for k, layer in enumerate(problem["network"]["layers"], start=1):
            np.testing.assert_allclose(given(page, f"W_{k}"), layer["weights"], rtol=1e-12)
            np.testing.assert_allclose(given(page, f"b_{k}"), layer["bias"], rtol=1e-12)
        for quantity in ("z_1 (2 × 2)", "l_2 (2 × 1)", "ŷ", "The loss L", "Δ_1 = ∂L/∂z_1 (2 × 2)", "∂L/∂W_1 (3 × 2)"):
            assert quantity in page
        assert "∂L/∂b_2 (1 entry)" in page
        assert "∂L/∂b_1 (2 entries)" in page
        assert "L = Σ ½ (y − ŷ)²" in page
        assert "σ(u) = 1 / (1 + e^(−u))" in page


async def test_the_sheets_never_carry_the_key(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/assignments", json={**TEMPLATE, "include": ["key"]}, headers={"Accept": "text/markdown"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/include"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"students": ["ada", "grace", "ada"]}, "/students/2"),
        ({"students": []}, "/students"),
        ({"students": ["ada", ""]}, "/students/1"),
        ({"students": ["ada", "grace\n# hacked"]}, "/students/1"),
        ({"sizes": [3]}, "/sizes"),
        ({"sizes": [3, 0, 1]}, "/sizes/1"),
        ({"activations": ["sigmoid"]}, "/activations"),
        ({"activations": ["sigmoid", "swish"]}, "/activations/1"),
        ({"activations": ["softmax", "sigmoid"]}, "/activations/0"),
        ({"loss": "cross_entropy"}, "/activations/1"),
        ({"examples": 0}, "/examples"),
        ({"decimals": 4}, "/decimals"),
        ({"seed": -1}, "/seed"),
        ({"seed": 1.5}, "/seed"),
        ({"include": ["answers"]}, "/include/0"),
        ({"homework": True}, "/homework"),
    ],
)
async def test_a_bad_template_gets_a_422_naming_the_field(
    client: httpx.AsyncClient, change: dict[str, Any], pointer: str
) -> None:
    response = await client.post("/v1/assignments", json={**TEMPLATE, **change})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


@pytest.fixture
async def limited(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(max_students=3, max_assignment_numbers=20, max_request_work=100_000_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize(
    ("change", "status", "limit"),
    [
        ({"students": ["a", "b", "c", "d"]}, 413, "max_students"),
        ({"sizes": [4, 3, 1]}, 422, "max_assignment_numbers"),
        ({"students": ["a", "b", "c"], "sizes": [2, 2, 2], "examples": 1, "bias": False}, 200, None),
    ],
)
async def test_the_limits_name_themselves_and_their_setting(
    limited: httpx.AsyncClient, change: dict[str, Any], status: int, limit: str | None
) -> None:
    response = await limited.post("/v1/assignments", json={**TEMPLATE, **change})
    assert response.status_code == status, response.text
    if limit is not None:
        problem = response.json()
        assert problem["limit"]["name"] == limit
        assert problem["limit"]["setting"] == f"GRADSERVICE_{limit.upper()}"
        assert f"GRADSERVICE_{limit.upper()}" in problem["detail"]


async def test_the_work_of_many_students_is_bounded(anyio_backend: str) -> None:
    app = create_app(Settings(max_request_work=10_000_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        few = await http.post("/v1/assignments", json={**TEMPLATE, "students": ["a"]})
        many = await http.post("/v1/assignments", json={**TEMPLATE, "students": [str(i) for i in range(50)]})
    assert few.status_code == 200
    assert many.status_code == 422
    assert many.json()["limit"]["name"] == "max_request_work"


async def test_an_unacceptable_accept_gets_a_406(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/assignments", json=TEMPLATE, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_a_class_of_300_with_a_three_layer_network_and_its_key_fits_the_default_limits() -> None:
    from service.domain import limits

    settings = Settings()
    cost = limits.assignment_cost(300, [4, 3, 3, 2], 2, True, True, False)
    assert cost.work <= settings.max_request_work
    assert cost.bytes <= settings.max_inflight_bytes
    limits.check_assignment(settings, 300, [4, 3, 3, 2], 2, True)  # raises over a limit


async def test_a_template_that_needs_more_attempts_than_estimated_is_stopped_by_the_work_limit(
    anyio_backend: str,
) -> None:
    """12 → 2 → 1 is estimated at 2 attempts a student but takes some 100 (24 entries of ∂L/∂W_1 without a tie)."""
    body = {**TEMPLATE, "sizes": [12, 2, 1], "examples": 1, "bias": False, "students": [str(i) for i in range(20)]}
    app = create_app(Settings(max_request_work=30_000_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await http.post("/v1/assignments", json=body)
        one = await http.post("/v1/assignments", json={**body, "students": ["0"]})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["limit"] == {
        "name": "max_request_work",
        "setting": "GRADSERVICE_MAX_REQUEST_WORK",
        "value": 30_000_000,
    }
    assert "attempts" in problem["detail"]
    assert one.status_code == 200
