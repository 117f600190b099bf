"""POST /v1/gradients/check: the response against the seed's formulas, relu kinks, softmax, and every 422."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.check import CheckResponse
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
U = 2.0**-52


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return body


async def check(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/gradients/check", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data: dict[str, Any] = response.json()
    CheckResponse.model_validate(data)
    return data


@pytest.mark.parametrize("epsilon", [None, 1e-5])
async def test_seed_case_5(client: httpx.AsyncClient, epsilon: float | None) -> None:
    body = example("seed_case_5")
    if epsilon is not None:
        body["epsilon"] = epsilon
    W1, W2 = (np.array(layer["weights"]) for layer in body["network"]["layers"])
    x = np.array([body["inputs"]])
    l1 = sig(x @ W1)
    y_hat = sig(l1 @ W2)
    delta2 = (y_hat - 1.0) * y_hat * (1 - y_hat)
    expected = [x.T @ ((delta2 @ W2.T) * l1 * (1 - l1)), l1.T @ delta2]
    loss = 0.5 * (1.0 - y_hat[0, 0]) ** 2
    eps = epsilon or 1e-6

    data = await check(client, body)

    assert data["passed"] is True
    assert data["epsilon"] == eps
    assert data["loss"] == pytest.approx(loss, rel=1e-13)
    assert data["roundoff"] > 0.0
    assert "Richardson" in data["error_model"]
    assert data["thresholds"] == {"fine": 1e-7, "acceptable": 1e-4}
    assert (data["kinks"], data["note"]) == (0, None)
    for layer, dW in zip(data["layers"], expected, strict=True):
        analytic, numerical = np.array(layer["analytic_gradient"]), np.array(layer["numerical_gradient"])
        np.testing.assert_allclose(analytic, dW, rtol=1e-12)
        np.testing.assert_allclose(numerical, dW, rtol=1e-6)
        errors = np.abs(analytic - numerical)
        assert layer["max_abs_error"] == pytest.approx(errors.max(), rel=1e-9)
        worst = layer["worst"]
        row, column = worst["row"], worst["column"]
        assert (worst["analytic"], worst["numerical"]) == (analytic[row, column], numerical[row, column])
        floor = max(abs(worst["analytic"]), abs(worst["numerical"]), worst["expected_error"])
        assert worst["relative_error"] == pytest.approx(errors[row, column] / floor, rel=1e-9)
        assert layer["max_relative_error"] >= worst["relative_error"]
        assert (layer["failing"], layer["failing_count"]) == ([], 0)
        assert (layer["rating"], layer["passed"], layer["kinks"]) == ("fine", True, 0)
        assert "numerical_bias_gradient" not in layer


async def test_bias_gradients_are_checked_too(client: httpx.AsyncClient) -> None:
    body = example("seed_case_6")
    body["network"]["layers"][1]["bias"] = [0.1, -0.2]
    data = await check(client, body)
    assert data["passed"] is True
    assert "numerical_bias_gradient" not in data["layers"][0]
    last = data["layers"][1]
    np.testing.assert_allclose(last["numerical_bias_gradient"], last["analytic_bias_gradient"], rtol=1e-6)
    # ∂L/∂b_2 = Σ over the m rows of Δ_2 = (ŷ − y) * ŷ * (1 − ŷ).
    W1, W2 = (np.array(layer["weights"]) for layer in body["network"]["layers"])
    y_hat = sig(sig(np.array(body["inputs"]) @ W1) @ W2 + np.array([0.1, -0.2]))
    delta2 = (y_hat - np.array(body["targets"])) * y_hat * (1 - y_hat)
    np.testing.assert_allclose(last["analytic_bias_gradient"], delta2.sum(axis=0), rtol=1e-12)


async def test_relu_kinks_are_reported_not_failed(client: httpx.AsyncClient) -> None:
    """z_1 = x · W_1 = [1 − 1, 0.5 − 0.2] has an entry at the kink: W_1[:, 0] moved by ±ε crosses it."""
    body = {
        "network": {
            "layers": [
                {"weights": [[1.0, 0.5], [1.0, 0.2]], "activation": "relu"},
                {"weights": [[2.0], [-1.0]], "activation": "linear"},
            ]
        },
        "inputs": [1.0, -1.0],
        "targets": 3.0,
    }
    data = await check(client, body)
    assert data["passed"] is True
    assert data["kinks"] == 2
    assert [layer["kinks"] for layer in data["layers"]] == [2, 0]
    assert "relu kink" in data["note"]
    numerical = np.array(data["layers"][0]["numerical_gradient"])
    analytic = np.array(data["layers"][0]["analytic_gradient"])
    assert np.all(np.abs(numerical[:, 0] - analytic[:, 0]) > 0.1)  # half the active slope, not relu′(0) = 0


async def test_softmax_and_cross_entropy(client: httpx.AsyncClient) -> None:
    body = {
        "network": {
            "layers": [
                {"weights": [[0.1, -0.2, 0.3], [0.4, 0.3, -0.1]], "activation": "tanh", "bias": [0.1, 0.0, -0.1]},
                {"weights": [[0.7, -0.1, 0.2], [-0.3, 0.5, 0.1], [0.2, 0.2, -0.6]], "activation": "softmax"},
            ]
        },
        "inputs": [[1.0, 0.5], [-1.0, 2.0]],
        "targets": [[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]],
        "loss": "cross_entropy",
    }
    data = await check(client, body)
    assert data["passed"] is True
    assert [layer["rating"] for layer in data["layers"]] == ["fine", "fine"]


async def test_too_many_parameters_is_422() -> None:
    small = create_app(Settings(max_check_parameters=7))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://test") as client:
        response = await client.post("/v1/gradients/check", json=example("seed_case_5"))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "/problems/limit-exceeded"
        assert problem["limit"] == {
            "name": "max_check_parameters",
            "setting": "GRADSERVICE_MAX_CHECK_PARAMETERS",
            "value": 7,
        }
        assert problem["errors"][0]["pointer"] == "/network"
        assert "8 weights and biases" in problem["errors"][0]["message"]
        assert "at most 7" in problem["errors"][0]["message"]
        assert "four forward passes" in problem["errors"][0]["message"]
        ok = await client.post("/v1/gradients/check", json=example("seed_case_2"))
        assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("epsilon", [0, -1e-6, 1e-11, 0.1, "1e-6", None])
async def test_invalid_epsilon_is_422(client: httpx.AsyncClient, epsilon: object) -> None:
    response = await client.post("/v1/gradients/check", json={**example("seed_case_5"), "epsilon": epsilon})
    assert response.status_code == 422, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == ["/epsilon"]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e999"])
async def test_non_finite_epsilon_is_422(client: httpx.AsyncClient, token: str) -> None:
    content = json.dumps({**example("seed_case_5"), "epsilon": "__EPS__"}).replace('"__EPS__"', token)
    response = await client.post(
        "/v1/gradients/check", content=content.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == ["/epsilon"]


async def test_the_gradients_request_rules_apply(client: httpx.AsyncClient) -> None:
    body = example("seed_case_5")
    body["targets"] = [1.0, 0.0]
    response = await client.post("/v1/gradients/check", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/targets"]


async def test_a_step_that_vanishes_next_to_a_weight_is_422(client: httpx.AsyncClient) -> None:
    body = example("seed_case_2")
    body["network"]["layers"][0]["weights"][0][0] = 1e10
    body["epsilon"] = 1e-10
    response = await client.post("/v1/gradients/check", json=body)
    assert response.status_code == 422, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == ["/epsilon"]
