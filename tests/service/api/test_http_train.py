"""``POST /v1/train``: gradient descent over HTTP, the XOR example, posting the result back, every bad parameter."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.examples import SEED_TWO_LAYER, XOR_FIRST_STEPS, XOR_TRAINING
from service.api.schemas.train import TrainResponse
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
PROBLEM_JSON = "application/problem+json"


def sig(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(u, dtype=float)))


def descend(
    body: dict[str, Any], eta: float, steps: int
) -> tuple[list[float], list[dict[str, np.ndarray]], np.ndarray]:
    """Gradient descent on sigmoid layers (optional biases), L = Σ ½ (y − ŷ)², written out from the seed notes."""
    params = [
        {"W": np.array(layer["weights"], dtype=float), "b": np.array(layer.get("bias", 0.0), dtype=float)}
        for layer in body["network"]["layers"]
    ]
    X = np.atleast_2d(np.array(body["inputs"], dtype=float))
    Y = np.array(body["targets"], dtype=float).reshape(X.shape[0], -1)

    def outputs() -> list[np.ndarray]:
        ls = [X]
        for p in params:
            ls.append(sig(ls[-1] @ p["W"] + p["b"]))
        return ls

    history = []
    for _ in range(steps):
        ls = outputs()
        history.append(0.5 * np.sum((Y - ls[-1]) ** 2))
        delta = (ls[-1] - Y) * ls[-1] * (1 - ls[-1])
        for k in range(len(params) - 1, -1, -1):
            dW, db = ls[k].T @ delta, delta.sum(axis=0)
            if k > 0:
                delta = (delta @ params[k]["W"].T) * ls[k] * (1 - ls[k])
            params[k]["W"] = params[k]["W"] - eta * dW
            if "bias" in body["network"]["layers"][k]:
                params[k]["b"] = params[k]["b"] - eta * db
    ls = outputs()
    history.append(0.5 * np.sum((Y - ls[-1]) ** 2))
    return history, params, ls[-1]


async def post_train(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/train", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    TrainResponse.model_validate(data)
    assert set(data) == {"loss_history", "network", "output"}
    return data


def test_the_example_file_is_the_documented_example() -> None:
    assert json.loads((ROOT / "examples" / "xor_training.json").read_text(encoding="utf-8")) == XOR_TRAINING


async def test_xor_training_learns_xor(client: httpx.AsyncClient) -> None:
    """The documented result: 501 losses, falling from ≈ 0.50 to below 0.01, and ŷ rounds to XOR."""
    data = await post_train(client, XOR_TRAINING)
    history, params, y_hat = descend(XOR_TRAINING, eta=2.0, steps=500)
    assert len(data["loss_history"]) == 501
    np.testing.assert_allclose(data["loss_history"], history, rtol=1e-9)
    for layer, expected in zip(data["network"]["layers"], params, strict=True):
        np.testing.assert_allclose(layer["weights"], expected["W"], rtol=1e-9)
        np.testing.assert_allclose(layer["bias"], expected["b"], rtol=1e-9)
        assert layer["activation"] == "sigmoid"
    np.testing.assert_allclose(data["output"], y_hat, rtol=1e-9)
    assert data["loss_history"][0] > 0.5
    assert data["loss_history"][-1] < 0.01
    assert np.all(np.diff(data["loss_history"]) <= 0)
    assert np.round(data["output"]).ravel().tolist() == XOR_TRAINING["targets"]


async def test_defaults_are_eta_one_half_and_100_steps(client: httpx.AsyncClient) -> None:
    data = await post_train(client, SEED_TWO_LAYER)
    history, params, _ = descend(SEED_TWO_LAYER, eta=0.5, steps=100)
    np.testing.assert_allclose(data["loss_history"], history, rtol=1e-9)
    assert data["loss_history"][-1] < data["loss_history"][0]
    for layer, expected in zip(data["network"]["layers"], params, strict=True):
        np.testing.assert_allclose(layer["weights"], expected["W"], rtol=1e-9)
        assert "bias" not in layer


async def test_the_trained_network_can_be_posted_back(client: httpx.AsyncClient) -> None:
    first = await post_train(client, {**XOR_TRAINING, "steps": 200})
    again = {**XOR_TRAINING, "network": first["network"]}
    gradients_request = {key: value for key, value in again.items() if key not in ("learning_rate", "steps")}
    loss = (await client.post("/v1/loss", json=gradients_request)).json()
    assert loss["loss"] == pytest.approx(first["loss_history"][-1], rel=1e-12)
    assert loss["output"] == first["output"]
    second = await post_train(client, {**again, "steps": 300})
    assert second["loss_history"][0] == pytest.approx(first["loss_history"][-1], rel=1e-12)
    whole = await post_train(client, XOR_TRAINING)
    np.testing.assert_allclose(first["loss_history"] + second["loss_history"][1:], whole["loss_history"], rtol=1e-9)


async def test_steps_are_bounded_by_the_setting() -> None:
    small = create_app(Settings(max_train_steps=5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://test") as client:
        assert len((await post_train(client, {**XOR_TRAINING, "steps": 5}))["loss_history"]) == 6
        response = await client.post("/v1/train", json={**XOR_TRAINING, "steps": 6})
    assert response.status_code == 422
    assert response.json()["limit"]["name"] == "max_train_steps"
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/steps"
    assert "at most 5" in error["message"]


BAD = {
    "zero-steps": ({"steps": 0}, "/steps"),
    "fractional-steps": ({"steps": 1.5}, "/steps"),
    "string-steps": ({"steps": "100"}, "/steps"),
    "zero-learning-rate": ({"learning_rate": 0.0}, "/learning_rate"),
    "negative-learning-rate": ({"learning_rate": -0.5}, "/learning_rate"),
    "string-learning-rate": ({"learning_rate": "0.5"}, "/learning_rate"),
    "boolean-learning-rate": ({"learning_rate": True}, "/learning_rate"),
    "typo": ({"learning_rte": 0.1}, "/learning_rte"),
    "bad-shape": ({"targets": [0.0, 1.0, 1.0]}, "/targets"),
}


@pytest.mark.parametrize(("change", "pointer"), BAD.values(), ids=list(BAD))
async def test_bad_parameters_are_422(client: httpx.AsyncClient, change: dict[str, Any], pointer: str) -> None:
    response = await client.post("/v1/train", json={**copy.deepcopy(XOR_TRAINING), **change})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "/problems/invalid-request"
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e999"])
async def test_non_finite_learning_rate_is_422(client: httpx.AsyncClient, token: str) -> None:
    text = json.dumps({**XOR_TRAINING, "learning_rate": "__X__"}).replace('"__X__"', token)
    response = await client.post("/v1/train", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/learning_rate"


async def test_divergence_is_a_non_finite_problem_at_the_learning_rate(client: httpx.AsyncClient) -> None:
    body = {
        "network": {"layers": [{"weights": [[1.0]], "activation": "linear"}]},
        "inputs": [[10.0]],
        "targets": [[0.0]],
        "learning_rate": 10.0,
        "steps": 10_000,
    }
    response = await client.post("/v1/train", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/non-finite-result"
    (error,) = problem["errors"]
    assert error["pointer"] == "/learning_rate"
    assert "diverged at step" in error["message"]


async def test_the_documented_example_posts(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    media = document["paths"]["/v1/train"]["post"]["requestBody"]["content"]["application/json"]
    assert media["example"] == XOR_FIRST_STEPS
    schema = document["components"]["schemas"]["TrainRequest"]
    assert schema["properties"]["learning_rate"]["default"] == 0.5
    assert schema["properties"]["steps"]["default"] == 100
    await post_train(client, media["example"])
