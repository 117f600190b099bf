"""``python -m service`` serves the API over a real loopback socket."""

from __future__ import annotations

import math

import httpx
import pytest
from servers import Serve

from service.api.schemas.examples import SEED_TWO_LAYER


def sigmoid(u: float) -> float:
    return 1.0 / (1.0 + math.exp(-u))


def test_python_m_service_serves_the_docs_example(serve: Serve) -> None:
    with serve() as server, httpx.Client(base_url=server.base_url, timeout=10.0) as client:
        health = client.get("/healthz")
        assert health.json() == {"status": "ok"}
        response = client.post("/v1/gradients", json=SEED_TWO_LAYER)
    assert response.status_code == 200, response.text
    data = response.json()
    # The seed's case 5 by hand: l_1 = σ(x · W_1), ŷ = σ(l_1 · W_2), L = ½ (y − ŷ)².
    x = SEED_TWO_LAYER["inputs"]
    W1, W2 = (layer["weights"] for layer in SEED_TWO_LAYER["network"]["layers"])
    l1 = [sigmoid(sum(x[i] * W1[i][j] for i in range(3))) for j in range(2)]
    y_hat = sigmoid(l1[0] * W2[0][0] + l1[1] * W2[1][0])
    assert len(data["output"]) == 1
    assert data["output"][0] == [pytest.approx(y_hat, rel=1e-12)]
    assert data["loss"] == pytest.approx(0.5 * (SEED_TWO_LAYER["targets"] - y_hat) ** 2, rel=1e-12)
