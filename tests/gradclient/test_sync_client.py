"""GradientClient against a real server (``gradserve serve`` in a subprocess), and the requests it builds."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np
import pytest

from gradclient import GradientClient, ProblemError

if TYPE_CHECKING:
    from tests.gradclient.conftest import TwoLayers


def test_gradients_over_a_real_socket(gradserve_url: str, batch: TwoLayers) -> None:
    with GradientClient(gradserve_url, timeout=10.0) as client:
        result = client.gradients(batch.network, batch.X, batch.Y)
        forward = client.forward(batch.network, batch.X)
        loss = client.loss(batch.network, batch.X, batch.Y)
    assert result.loss == pytest.approx(batch.loss, rel=1e-12)
    np.testing.assert_allclose(result.layers[0].weights_gradient, batch.dW1, rtol=1e-10)
    np.testing.assert_allclose(result.layers[0].bias_gradient, batch.db1, rtol=1e-10)
    np.testing.assert_allclose(result.layers[1].weights_gradient, batch.dW2, rtol=1e-10)
    np.testing.assert_allclose(forward.output, batch.y_hat, rtol=1e-12)
    assert loss.loss == pytest.approx(batch.loss, rel=1e-12)


def test_a_problem_over_a_real_socket(gradserve_url: str) -> None:
    with GradientClient(gradserve_url, timeout=10.0) as client, pytest.raises(ProblemError) as raised:
        client.loss([[[1.0], [2.0]]], [[1.0, 2.0]], [[1.0, 2.0]])
    assert raised.value.status == 422
    assert raised.value.pointers == ("/targets",)


def test_an_unreachable_service_raises_httpx_transport_error(gradserve_url: str) -> None:
    with GradientClient("http://127.0.0.1:9", timeout=2.0) as client, pytest.raises(httpx.TransportError):
        client.forward([[[1.0]]], 1.0)


class Recorder:
    """A mock transport that records each request and answers with a fixed JSON body."""

    def __init__(self, answer: dict[str, Any], status: int = 200, content_type: str = "application/json") -> None:
        self.answer, self.status, self.content_type = answer, status, content_type
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        content = json.dumps(self.answer).encode()
        return httpx.Response(self.status, content=content, headers={"Content-Type": self.content_type})

    def client(self, api_key: str | None = None) -> GradientClient:
        return GradientClient("http://service", api_key=api_key, transport=httpx.MockTransport(self))

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[-1].content)
        return body


W = [np.array([[0.5, -0.5]]), np.array([[1.0], [2.0]])]


def test_check_posts_the_gradients_request_and_reads_the_answer() -> None:
    layer = {
        "numerical_gradient": [[0.1, 0.2]],
        "analytic_gradient": [[0.1, 0.2]],
        "max_abs_error": 1e-11,
        "max_relative_error": 1e-9,
        "passed": True,
    }
    recorder = Recorder({"passed": True, "layers": [layer, layer], "thresholds": {"fine": 1e-7}})
    with recorder.client() as client:
        result = client.check(W, [2.0], 1.0, epsilon=1e-5)
    assert recorder.requests[-1].url.path == "/v1/gradients/check"
    assert recorder.body == {
        "network": {"layers": [{"weights": [[0.5, -0.5]]}, {"weights": [[1.0], [2.0]]}]},
        "inputs": [2.0],
        "targets": 1.0,
        "loss": "half_squared_error",
        "epsilon": 1e-5,
    }
    assert result.passed
    assert result.layers[1].numerical_gradient.shape == (1, 2)
    assert result.layers[0].max_relative_error == 1e-9
    assert result.raw["thresholds"] == {"fine": 1e-7}


def test_verify_sends_the_claimed_gradients() -> None:
    layers = [
        {"verdict": "sign_flipped", "factor": -1.0, "max_abs_error": 0.2, "expected": [[0.1, 0.2]]},
        {"verdict": "correct", "factor": None, "max_abs_error": 0.0, "expected": [[0.3], [0.4]]},
    ]
    recorder = Recorder({"all_correct": False, "layers": layers})
    with recorder.client() as client:
        result = client.verify(W, [2.0], 1.0, claimed_gradients=[-np.array([[0.1, 0.2]]), [[0.3], [0.4]]])
    assert recorder.requests[-1].url.path == "/v1/gradients/verify"
    assert recorder.body["claimed_gradients"] == [[[-0.1, -0.2]], [[0.3], [0.4]]]
    assert "claimed_bias_gradients" not in recorder.body
    assert not result.all_correct
    assert [layer.verdict for layer in result.layers] == ["sign_flipped", "correct"]
    assert [layer.factor for layer in result.layers] == [-1.0, None]
    np.testing.assert_array_equal(result.layers[1].expected, [[0.3], [0.4]])


def test_train_leaves_unset_options_to_the_service() -> None:
    network = {"layers": [{"weights": [[0.4, -0.4]]}, {"weights": [[1.1], [2.1]]}]}
    recorder = Recorder({"loss_history": [0.3, 0.2, 0.1], "network": network, "output": [[0.9]]})
    with recorder.client() as client:
        result = client.train(W, [2.0], 1.0, steps=2)
    assert recorder.requests[-1].url.path == "/v1/train"
    assert recorder.body["steps"] == 2
    assert "learning_rate" not in recorder.body
    np.testing.assert_array_equal(result.loss_history, [0.3, 0.2, 0.1])
    assert result.network.to_json() == network
    np.testing.assert_array_equal(result.network.layers[1].weights, [[1.1], [2.1]])
    assert result.output.shape == (1, 1)


def test_the_api_key_is_a_bearer_token() -> None:
    recorder = Recorder({"loss": 0.5, "output": [[0.0]]})
    with recorder.client(api_key="s3cret") as client:
        client.loss(W, [2.0], 1.0)
    with recorder.client() as client:
        client.loss(W, [2.0], 1.0)
    first, second = recorder.requests
    assert first.headers["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in second.headers
    assert first.headers["Content-Type"] == "application/json"


def test_an_error_that_is_not_a_problem_keeps_its_status_and_text() -> None:
    def bad_gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>502 Bad Gateway</html>", headers={"Content-Type": "text/html"})

    transport = httpx.MockTransport(bad_gateway)
    with GradientClient("http://service", transport=transport) as client, pytest.raises(ProblemError) as raised:
        client.forward(W, [2.0])
    assert (raised.value.status, raised.value.title) == (502, "Bad Gateway")
    assert "502 Bad Gateway" in raised.value.detail
    assert raised.value.errors == ()
    assert raised.value.problem["status"] == 502


def test_gradclient_needs_neither_the_service_nor_fastapi() -> None:
    code = "import sys, gradclient; print(sorted(m for m in ('service', 'fastapi', 'gradcore') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
