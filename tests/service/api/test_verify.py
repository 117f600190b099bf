"""POST /v1/gradients/verify: every verdict over HTTP, on claims computed here from the seed's formulas; every 422."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.verify import VerifyResponse
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PROBLEM_JSON = "application/problem+json"


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return body


def seed_arrays(body: dict[str, Any]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """W_k, X (m × n_0) and Y (m × 1) of a one-output seed example."""
    Ws = [np.atleast_2d(np.array(layer["weights"], dtype=float)) for layer in body["network"]["layers"]]
    X = np.atleast_2d(np.array(body["inputs"], dtype=float))
    Y = np.array(body["targets"], dtype=float).reshape(X.shape[0], -1)
    return Ws, X, Y


def seed_wrong_sign(Ws: list[np.ndarray], X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """The gradients of the seed's parts 1, 2 and 4-2, with their stray minus sign: Δ_L = (y − ŷ) * ŷ * (1 − ŷ)."""
    activations = [X]
    for W in Ws:
        activations.append(sig(activations[-1] @ W))
    y_hat = activations[-1]
    delta = (Y - y_hat) * y_hat * (1 - y_hat)
    claims = []
    for k in range(len(Ws) - 1, -1, -1):
        claims.insert(0, activations[k].T @ delta)
        if k > 0:
            delta = (delta @ Ws[k].T) * activations[k] * (1 - activations[k])
    return claims


async def verify(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/gradients/verify", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data: dict[str, Any] = response.json()
    VerifyResponse.model_validate(data)
    return data


@pytest.mark.parametrize("case", [1, 2, 5])
async def test_the_seeds_wrong_sign_is_sign_flipped(client: httpx.AsyncClient, case: int) -> None:
    body = example(f"seed_case_{case}")
    Ws, X, Y = seed_arrays(body)
    claims = seed_wrong_sign(Ws, X, Y)
    data = await verify(client, {**body, "claimed_gradients": [c.tolist() for c in claims]})
    assert data["all_correct"] is False
    assert [layer["verdict"] for layer in data["layers"]] == ["sign_flipped"] * len(Ws)
    for layer, claim in zip(data["layers"], claims, strict=True):
        assert layer["factor"] == -1.0
        np.testing.assert_allclose(layer["expected"], -claim, rtol=1e-12)
        assert layer["max_abs_error"] == pytest.approx(2 * np.abs(claim).max(), rel=1e-12)
        assert "(y − ŷ)" in layer["hint"]
        assert layer["worst_index"] is None
        assert "bias" not in layer


@pytest.mark.parametrize("case", [1, 2, 5])
async def test_the_corrected_sign_is_correct(client: httpx.AsyncClient, case: int) -> None:
    body = example(f"seed_case_{case}")
    claims = [-c for c in seed_wrong_sign(*seed_arrays(body))]
    data = await verify(client, {**body, "claimed_gradients": [c.tolist() for c in claims]})
    assert data["all_correct"] is True
    assert [layer["verdict"] for layer in data["layers"]] == ["correct"] * len(claims)
    assert data["rtol"] == 1e-3
    assert [layer["rounded_to"] for layer in data["layers"]] == [None] * len(claims)  # full precision


async def test_the_wrong_sign_example(client: httpx.AsyncClient) -> None:
    """examples/verify_wrong_sign.json holds the seed's part 4-2 gradients rounded to 4 digits: both sign_flipped."""
    body = example("verify_wrong_sign")
    Ws, X, Y = seed_arrays(body)
    claims = seed_wrong_sign(Ws, X, Y)
    for claimed, computed in zip(body["claimed_gradients"], claims, strict=True):
        np.testing.assert_allclose(claimed, computed, rtol=5e-4)
    data = await verify(client, body)
    assert [layer["verdict"] for layer in data["layers"]] == ["sign_flipped", "sign_flipped"]


class Case6:
    """examples/seed_case_6.json (3 → 4 → 2, m = 4) and its gradients, with and without each σ′, in numpy."""

    def __init__(self) -> None:
        self.body = example("seed_case_6")
        self.W1, self.W2 = (np.array(layer["weights"]) for layer in self.body["network"]["layers"])
        self.X, self.Y = np.array(self.body["inputs"]), np.array(self.body["targets"])
        self.l1 = sig(self.X @ self.W1)
        self.y_hat = sig(self.l1 @ self.W2)

    def gradients(self, output_derivative: bool = True, hidden_derivative: bool = True) -> list[np.ndarray]:
        delta2 = (self.y_hat - self.Y) * (self.y_hat * (1 - self.y_hat) if output_derivative else 1.0)
        delta1 = (delta2 @ self.W2.T) * (self.l1 * (1 - self.l1) if hidden_derivative else 1.0)
        return [self.X.T @ delta1, self.l1.T @ delta2]

    def claiming(self, claims: list[np.ndarray]) -> dict[str, Any]:
        return {**self.body, "claimed_gradients": [c.tolist() for c in claims]}


@pytest.mark.parametrize(
    ("make", "verdicts", "factor", "hint"),
    [
        (lambda T: [t.T for t in T], ["transposed", "transposed"], None, "instead of l_0ᵀ · Δ_1"),
        (lambda T: [t / 4 for t in T], ["scaled", "scaled"], 0.25, "a mean over the m = 4 examples"),
        (lambda T: [2 * t for t in T], ["scaled", "scaled"], 2.0, "the ½ of L = Σ ½ (y − ŷ)² dropped"),
        (lambda T: [T[0], -2 * T[1]], ["correct", "scaled"], -2.0, "the sign flipped and the ½ of L"),
    ],
    ids=["transposed", "scaled-1/m", "scaled-2", "scaled-minus-2"],
)
async def test_transposed_and_scaled(
    client: httpx.AsyncClient, make: Any, verdicts: list[str], factor: float | None, hint: str
) -> None:
    case = Case6()
    data = await verify(client, case.claiming(make(case.gradients())))
    assert [layer["verdict"] for layer in data["layers"]] == verdicts
    last = data["layers"][-1]
    if factor is None:
        assert last["factor"] is None
    else:
        assert last["factor"] == pytest.approx(factor, rel=1e-12)
    assert hint in (data["layers"][0]["hint"] + last["hint"])
    for layer, expected in zip(data["layers"], case.gradients(), strict=True):
        np.testing.assert_allclose(layer["expected"], expected, rtol=1e-12)


async def test_missing_sigmoid_derivative_at_the_output(client: httpx.AsyncClient) -> None:
    case = Case6()
    data = await verify(client, case.claiming(case.gradients(output_derivative=False)))
    assert [layer["verdict"] for layer in data["layers"]] == ["missing_activation_derivative"] * 2
    assert [layer["missing_at_layer"] for layer in data["layers"]] == [2, 2]
    assert "σ′(z_2) = l_2 * (1 − l_2)" in data["layers"][1]["hint"]


async def test_missing_sigmoid_derivative_at_the_hidden_layer(client: httpx.AsyncClient) -> None:
    case = Case6()
    data = await verify(client, case.claiming(case.gradients(hidden_derivative=False)))
    assert [layer["verdict"] for layer in data["layers"]] == ["missing_activation_derivative", "correct"]
    assert data["layers"][0]["missing_at_layer"] == 1
    assert data["layers"][1]["missing_at_layer"] is None


async def test_incorrect_names_the_worst_entry(client: httpx.AsyncClient) -> None:
    case = Case6()
    claims = case.gradients()
    claims[1] = claims[1].copy()
    claims[1][2, 1] += 0.3
    data = await verify(client, case.claiming(claims))
    assert [layer["verdict"] for layer in data["layers"]] == ["correct", "incorrect"]
    assert data["layers"][1]["worst_index"] == [2, 1]
    assert data["layers"][1]["max_abs_error"] == pytest.approx(0.3, rel=1e-9)


async def test_bias_claims(client: httpx.AsyncClient) -> None:
    """Case 2 with a bias b_1: Δ_1 = (ŷ − y) ŷ (1 − ŷ), ∂L/∂b_1 = Σ_rows Δ_1."""
    body = example("seed_case_2")
    body["network"]["layers"][0]["bias"] = [0.25]
    W = np.array(body["network"]["layers"][0]["weights"])
    x = np.array([body["inputs"]])
    y_hat = sig(x @ W + 0.25)
    delta = float(((y_hat - 1.0) * y_hat * (1 - y_hat))[0, 0])
    body["claimed_gradients"] = [(x.T * delta).tolist()]
    for bias, verdict in (([delta], "correct"), ([-delta], "sign_flipped"), (delta, "correct"), (None, None)):
        data = await verify(client, {**body, "claimed_bias_gradients": [bias]})
        layer = data["layers"][0]
        assert layer["verdict"] == "correct"
        if verdict is None:
            assert "bias" not in layer
            assert data["all_correct"] is True
        else:
            assert layer["bias"]["verdict"] == verdict
            assert layer["bias"]["expected"] == [pytest.approx(delta, rel=1e-12)]
            assert data["all_correct"] is (verdict == "correct")


async def test_a_scalar_claim_for_a_1x1_weight(client: httpx.AsyncClient) -> None:
    body = example("seed_case_1")
    x, w, y = body["inputs"], body["network"]["layers"][0]["weights"], body["targets"]
    y_hat = 1 / (1 + np.exp(-x * w))
    data = await verify(client, {**body, "claimed_gradients": [float((y_hat - y) * y_hat * (1 - y_hat) * x)]})
    assert data["layers"][0]["verdict"] == "correct"
    assert data["layers"][0]["expected"] == [[pytest.approx((y_hat - y) * y_hat * (1 - y_hat) * x, rel=1e-12)]]


INVALID = {
    "wrong-shape": (
        {"claimed_gradients": [[[0.0, 0.0]] * 3, [[0.0], [0.0], [0.0]]]},
        "/claimed_gradients/1",
        ("3 × 1", "W_2 is 2 × 1", "its transpose 1 × 2"),
    ),
    "wrong-count": ({"claimed_gradients": [[[0.0, 0.0]] * 3]}, "/claimed_gradients", ("expected 2 matrices",)),
    "flat-list": ({"claimed_gradients": [[[0.0, 0.0]] * 3, [0.0, 0.0]]}, "/claimed_gradients/1", ("flat list",)),
    "not-a-number": ({"claimed_gradients": [[[0.0, "x"]] * 3, [[0.0], [0.0]]]}, "/claimed_gradients/0/0/1", ()),
    "missing": ({"claimed_gradients": ...}, "/claimed_gradients", ()),
    "bias-without-bias": (
        {"claimed_bias_gradients": [[0.0, 0.0], None]},
        "/claimed_bias_gradients/0",
        ("layer 1 has no bias",),
    ),
    "bias-count": ({"claimed_bias_gradients": [None]}, "/claimed_bias_gradients", ("expected 2 entries",)),
    "rtol-zero": ({"rtol": 0.0}, "/rtol", ()),
    "rtol-one": ({"rtol": 1.0}, "/rtol", ()),
    "rtol-string": ({"rtol": "0.01"}, "/rtol", ()),
    "typo": ({"claimed_gradient": []}, "/claimed_gradient", ()),
}


@pytest.mark.parametrize(("change", "pointer", "texts"), INVALID.values(), ids=list(INVALID))
async def test_invalid_claims_are_422(
    client: httpx.AsyncClient, change: dict[str, Any], pointer: str, texts: tuple[str, ...]
) -> None:
    body = {**example("verify_wrong_sign"), **change}
    body = {key: value for key, value in body.items() if value is not ...}
    response = await client.post("/v1/gradients/verify", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == "/problems/invalid-request"
    pointers = [error["pointer"] for error in problem["errors"]]
    assert pointer in pointers
    message = problem["errors"][pointers.index(pointer)]["message"]
    for text in texts:
        assert text in message


async def test_network_problems_come_first(client: httpx.AsyncClient) -> None:
    body = example("verify_wrong_sign")
    body["network"]["layers"][1]["weights"] = [[0.7], [-0.3], [0.1]]
    response = await client.post("/v1/gradients/verify", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/network/layers/1/weights"]


async def test_huge_claims_give_finite_answers_or_a_problem(client: httpx.AsyncClient) -> None:
    body = {**example("verify_wrong_sign"), "claimed_gradients": [[[1.7e308, -1.7e308]] * 3, [[1.7e308], [-1.7e308]]]}
    data = await verify(client, body)
    assert [layer["verdict"] for layer in data["layers"]] == ["incorrect", "incorrect"]
    assert all(np.isfinite(layer["max_abs_error"]) for layer in data["layers"])
    linear = {
        "network": {"layers": [{"weights": 0.1, "activation": "linear"}]},
        "inputs": 1e154,
        "targets": 0.0,
        "claimed_gradients": [-1.79e308],
    }
    response = await client.post("/v1/gradients/verify", json=linear)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/non-finite-result"
    assert [error["pointer"] for error in problem["errors"]] == ["/claimed_gradients/0"]


def round_to(A: np.ndarray, d: int) -> np.ndarray:
    """A rounded to d significant digits with numpy."""
    unit = 10.0 ** (np.floor(np.log10(np.where(A == 0.0, 1.0, np.abs(A)))) - d + 1)
    result: np.ndarray = np.round(A / unit) * unit
    return result


async def test_the_seeds_case_5_rounded_to_3_digits_is_correct_and_says_so(client: httpx.AsyncClient) -> None:
    """Issue 13: the correct gradient of case 5, rounded to 3 digits, was "incorrect" on layer 1."""
    body = example("seed_case_5")
    claims = [round_to(-c, 3) for c in seed_wrong_sign(*seed_arrays(body))]
    data = await verify(client, {**body, "claimed_gradients": [c.tolist() for c in claims]})
    assert data["all_correct"] is True
    assert [(layer["verdict"], layer["rounded_to"]) for layer in data["layers"]] == [("correct", 3)] * 2
    assert "rounded to 3 significant digits" in data["layers"][0]["hint"]
    assert data["layers"][0]["wrong_entries"] == []


async def test_a_sign_flipped_claim_rounded_to_2_digits_is_sign_flipped(client: httpx.AsyncClient) -> None:
    body = example("seed_case_5")
    claims = [round_to(c, 2) for c in seed_wrong_sign(*seed_arrays(body))]
    data = await verify(client, {**body, "claimed_gradients": [c.tolist() for c in claims]})
    assert [(layer["verdict"], layer["factor"], layer["rounded_to"]) for layer in data["layers"]] == [
        ("sign_flipped", -1.0, 2)
    ] * 2


async def test_an_incorrect_layer_lists_its_wrong_entries_capped(client: httpx.AsyncClient) -> None:
    rng = np.random.default_rng(5)
    W1, W2 = rng.normal(size=(7, 5)), rng.normal(size=(5, 1))
    X, Y = rng.normal(size=(3, 7)), rng.uniform(size=(3, 1))
    l1 = sig(X @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - Y) * y_hat * (1 - y_hat)
    dW1 = X.T @ ((delta2 @ W2.T) * l1 * (1 - l1))
    body = {
        "network": {"layers": [{"weights": W1.tolist()}, {"weights": W2.tolist()}]},
        "inputs": X.tolist(),
        "targets": Y.tolist(),
    }
    one_wrong = round_to(dW1, 3)
    one_wrong[4, 1] = 1.0
    data = await verify(client, {**body, "claimed_gradients": [one_wrong.tolist(), (l1.T @ delta2).tolist()]})
    first = data["layers"][0]
    assert first["verdict"] == "incorrect"
    assert first["wrong_count"] == 1
    [entry] = first["wrong_entries"]
    assert entry["index"] == [4, 1]
    assert entry["claimed"] == 1.0
    assert entry["expected"] == pytest.approx(dW1[4, 1], rel=1e-12)
    unrelated = rng.normal(size=(7, 5))
    data = await verify(client, {**body, "claimed_gradients": [unrelated.tolist(), (l1.T @ delta2).tolist()]})
    first = data["layers"][0]
    assert first["verdict"] == "incorrect"
    assert len(first["wrong_entries"]) == 20 < first["wrong_count"]


async def test_in_classroom_mode_a_student_cannot_work_out_one_number_from_the_error(anyio_backend: str) -> None:
    """Case 1 (one input, one output): max |C − T| of a claim C = 1 gives T = 1 ± the error. The instructor gets
    it (and it is |1 − T|, T = (ŷ − y) ŷ (1 − ŷ) x); a student gets neither it nor ``expected``."""
    body = {"network": {"layers": [{"weights": [[0.5]]}]}, "inputs": [[0.3]], "targets": [[0.9]]}
    y_hat = sig(np.array(0.3 * 0.5))
    T = float((y_hat - 0.9) * y_hat * (1 - y_hat) * 0.3)
    claim = {**body, "claimed_gradients": [[[1.0]]], "claimed": {"layers": [{"weights_gradient": [[1.0]]}]}}
    app = create_app(Settings(instructor_key="key"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://class") as client:
        instructor = (await client.post("/v1/gradients/verify", json=claim, headers={"X-API-Key": "key"})).json()
        student = await client.post("/v1/gradients/verify", json=claim)
    assert instructor["layers"][0]["max_abs_error"] == pytest.approx(abs(1.0 - T), rel=1e-12)
    assert student.status_code == 200, student.text
    VerifyResponse.model_validate(student.json())
    text = student.text
    assert "max_abs_error" not in text
    assert "expected" not in text
    assert student.json()["layers"][0]["verdict"] == instructor["layers"][0]["verdict"]
