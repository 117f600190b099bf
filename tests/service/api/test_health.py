"""``/readyz``: ready only while the numerical core gives the known answer of a one-layer network."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gradcore
from service.api.routers import health

pytestmark = pytest.mark.anyio


async def test_readyz_is_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_the_self_test_agrees_with_the_hand_computation() -> None:
    # W = [[2]], X = [[3]], Y = [[1]], linear: ŷ = 6, L = ½ (1 − 6)², ∂L/∂W = x (ŷ − y).
    y_hat = 3.0 * 2.0
    assert (0.5 * (1.0 - y_hat) ** 2, 3.0 * (y_hat - 1.0)) == (12.5, 15.0)
    assert health.self_test() is None


async def test_readyz_is_503_when_the_core_computes_a_wrong_gradient(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_backward = gradcore.backward

    def off_by_two(*args: Any, **kwargs: Any) -> gradcore.Gradients:
        grads = real_backward(*args, **kwargs)
        return gradcore.Gradients(loss=grads.loss, delta=grads.delta, dW=tuple(2 * dW for dW in grads.dW), db=grads.db)

    monkeypatch.setattr(gradcore, "backward", off_by_two)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/not-ready"
    assert problem["status"] == 503
    assert "[[30.0]]" in problem["detail"]


async def test_readyz_is_503_when_the_core_raises(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> gradcore.Cache:
        raise FloatingPointError("simulated")

    monkeypatch.setattr(gradcore, "forward", broken)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert "FloatingPointError" in response.json()["detail"]
    assert (await client.get("/healthz")).status_code == 200  # alive, not ready
