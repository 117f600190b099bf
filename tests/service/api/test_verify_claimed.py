"""POST /v1/gradients/verify with ``claimed``: a partial answer graded quantity by quantity, with error carried
forward; a valid non-default ``rtol`` over HTTP; combined mistakes in ``claimed_gradients``. Expected values are
computed here from the seed's formulas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.verify import VerifyResponse

pytestmark = pytest.mark.anyio
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


class Seed5:
    """Seed case 5 (n → 2 hidden → 1, one example) and its values, in numpy."""

    def __init__(self) -> None:
        self.body: dict[str, Any] = json.loads((EXAMPLES / "seed_case_5.json").read_text())
        self.W1 = np.array(self.body["network"]["layers"][0]["weights"])
        self.W2 = np.array(self.body["network"]["layers"][1]["weights"])
        self.X, self.Y = np.array([self.body["inputs"]]), np.array([[1.0]])
        self.l1 = sig(self.X @ self.W1)
        self.y_hat = sig(self.l1 @ self.W2)
        self.delta2 = (self.y_hat - self.Y) * self.y_hat * (1 - self.y_hat)
        self.delta1 = (self.delta2 @ self.W2.T) * self.l1 * (1 - self.l1)

    def down(self, delta2: np.ndarray, derivative: bool = True) -> np.ndarray:
        product = delta2 @ self.W2.T
        return product * self.l1 * (1 - self.l1) if derivative else product


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/gradients/verify", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    VerifyResponse.model_validate(data)
    return data


async def test_a_partial_claim_is_graded_and_unclaimed_quantities_are_no_error(client: httpx.AsyncClient) -> None:
    case = Seed5()
    claimed = {"layers": [{"weights_gradient": (case.X.T @ case.delta1).tolist()}, {"delta": case.delta2.tolist()}]}
    data = await post(client, {**case.body, "claimed": claimed})
    assert data["layers"] == []
    assert [(g["pointer"], g["symbol"], g["verdict"]) for g in data["graded"]] == [
        ("/layers/1/delta", "Δ_2", "correct"),
        ("/layers/0/weights_gradient", "∂L/∂W_1", "correct"),
    ]
    assert data["all_correct"]


async def test_a_delta_right_given_the_learners_own_wrong_delta_is_carried_forward(client: httpx.AsyncClient) -> None:
    case = Seed5()
    wrong2 = -case.delta2
    claimed = {"layers": [{"delta": case.down(wrong2).tolist()}, {"delta": wrong2.tolist()}]}
    data = await post(client, {**case.body, "claimed": claimed})
    graded = {g["symbol"]: g for g in data["graded"]}
    assert (graded["Δ_2"]["verdict"], graded["Δ_2"]["mistakes"]) == ("sign_flipped", ["sign_flipped"])
    assert (graded["Δ_1"]["verdict"], graded["Δ_1"]["carried_forward"]) == ("correct", True)
    np.testing.assert_allclose(graded["Δ_1"]["expected"], case.delta1, rtol=1e-12)
    assert not data["all_correct"]


async def test_claimed_gradients_keep_working_and_name_combined_mistakes(client: httpx.AsyncClient) -> None:
    case = Seed5()
    no_output = case.down(case.y_hat - case.Y)  # σ′ left out of Δ_2, then Δ_1 from it
    claims = [(-(case.X.T @ no_output)).tolist(), (case.l1.T @ case.delta2).tolist()]
    data = await post(client, {**case.body, "claimed_gradients": claims})
    assert data["layers"][0]["verdict"] == "sign_flipped"
    assert data["layers"][0]["mistakes"] == ["sign_flipped", "missing_activation_derivative"]
    assert data["layers"][1]["mistakes"] == []
    assert "graded" not in data


async def test_a_valid_non_default_rtol_is_used(client: httpx.AsyncClient) -> None:
    """A claim 0.4 % off (full precision, so no rounding rule applies): wrong at rtol 1e-3, right at 1e-2."""
    case = Seed5()
    dW2 = case.l1.T @ case.delta2 * 1.004
    claims = [(case.X.T @ case.delta1).tolist(), dW2.tolist()]
    body = {**case.body, "claimed_gradients": claims, "claimed": {"layers": [None, {"weights_gradient": dW2.tolist()}]}}
    default = await post(client, body)
    assert default["rtol"] == 1e-3
    assert default["layers"][1]["verdict"] != "correct"
    assert default["graded"][0]["verdict"] != "correct"
    loose = await post(client, {**body, "rtol": 1e-2})
    assert loose["rtol"] == 1e-2
    assert loose["layers"][1]["verdict"] == "correct"
    assert loose["graded"][0]["verdict"] == "correct"
    assert loose["all_correct"]


@pytest.mark.parametrize(
    ("claimed", "pointer", "words"),
    [
        ({"layers": [None, {"delta": [[1.0, 2.0]]}]}, "/claimed/layers/1/delta", "Δ_2 is 1 × 2 but must be 1 × 1"),
        ({"layers": [{"weights_gradient": [[1.0]]}]}, "/claimed/layers/0/weights_gradient", "∂L/∂W_1 is 1 × 1"),
        ({"layers": [{"delta": [["x", 1.0]]}]}, "/claimed/layers/0/delta/0/0", ""),
        ({"lost": 1.0}, "/claimed/lost", "unknown field"),
        ({"layers": [None, None, {}]}, "/claimed/layers", "the network has 2 layers"),
    ],
)
async def test_invalid_claims_name_the_quantity_and_keep_the_pointer(
    client: httpx.AsyncClient, claimed: dict[str, Any], pointer: str, words: str
) -> None:
    response = await client.post("/v1/gradients/verify", json={**Seed5().body, "claimed": claimed})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["pointer"] == pointer
    assert words in error["message"]


async def test_nothing_claimed_at_all_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/gradients/verify", json=Seed5().body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/claimed_gradients"


@pytest.mark.parametrize(
    ("where", "value", "pointer", "message"),
    [
        (("network", 1, 0, 0), "x", "/network/layers/1/weights/0/0", "W_2, row 0, column 0: not a number"),
        (("claimed", 0, 0, 1), "-0,01302", "/claimed/layers/0/delta/0/1", "Δ_1, row 0, column 1: not a number"),
    ],
)
async def test_errors_name_the_quantity_in_the_seeds_notation(
    client: httpx.AsyncClient, where: tuple[Any, ...], value: str, pointer: str, message: str
) -> None:
    case = Seed5()
    body = json.loads(json.dumps({**case.body, "claimed": {"layers": [{"delta": case.delta1.tolist()}]}}))
    if where[0] == "network":
        body["network"]["layers"][where[1]]["weights"][where[2]][where[3]] = value
    else:
        body["claimed"]["layers"][where[1]]["delta"][where[2]][where[3]] = value
    response = await client.post("/v1/gradients/verify", json=body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == pointer
    assert error["message"].startswith(message)
    if "," in value:
        assert "write -0.01302 (a decimal point, no quotes)" in error["message"]
