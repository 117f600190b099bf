"""The ``umbridge`` PyPI client (UM-Bridge's own Python client) against a real server: every model and method.

Gradients agree with ``/v1/gradients`` and with central differences of Evaluate, Jacobian–vector products with
differences of Evaluate, Hessian–vector products with differences of Gradient (1e-6 relative) and with the closed
form of a one-layer linear network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import umbridge
from servers import Server, running

EPS = 1e-5
CONFIG: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.0, 0.0, 0.0]] * 2, "bias": [0.0, 0.0, 0.0], "activation": "tanh"},
            {"weights": [[0.0, 0.0]] * 3, "activation": "softmax"},
        ]
    },
    "inputs": [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.1, 0.1]],
    "targets": [[1.0, 0.0], [0.0, 1.0], [0.3, 0.7], [0.5, 0.5]],
    "loss": "cross_entropy",
}
"""2 inputs → 3 tanh nodes with a bias → softmax over 2 classes, cross-entropy: θ has 6 + 3 + 6 = 15 numbers."""
THETA = np.random.default_rng(0).normal(size=15)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running() as started:
        yield started


@pytest.fixture(scope="module")
def loss_model(server: Server) -> umbridge.HTTPModel:
    return umbridge.HTTPModel(f"{server.base_url}/umbridge", "loss")


@pytest.fixture(scope="module")
def network_model(server: Server) -> umbridge.HTTPModel:
    return umbridge.HTTPModel(f"{server.base_url}/umbridge", "network")


def central(f: Callable[[np.ndarray], np.ndarray], u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (np.asarray(f(u + EPS * v)) - np.asarray(f(u - EPS * v))) / (2 * EPS)


def close(got: Any, expected: Any, rtol: float = 1e-6) -> None:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape
    assert np.linalg.norm(got - expected) <= rtol * np.linalg.norm(expected), (got, expected)


def network_config(theta: np.ndarray) -> dict[str, Any]:
    """CONFIG's network with the weights and biases of θ (W_1 row by row, b_1, W_2), as /v1 takes it."""
    W1, b1, W2 = theta[:6].reshape(2, 3), theta[6:9], theta[9:].reshape(3, 2)
    layers = CONFIG["network"]["layers"]
    return {
        "layers": [
            {"weights": W1.tolist(), "bias": b1.tolist(), "activation": layers[0]["activation"]},
            {"weights": W2.tolist(), "activation": layers[1]["activation"]},
        ]
    }


def test_info_and_support(loss_model: umbridge.HTTPModel, network_model: umbridge.HTTPModel, server: Server) -> None:
    assert umbridge.supported_models(f"{server.base_url}/umbridge") == ["loss", "network"]
    for model in (loss_model, network_model):
        assert model.supports_evaluate()
        assert model.supports_gradient()
        assert model.supports_apply_jacobian()
        assert model.supports_apply_hessian()
    assert loss_model.get_input_sizes(CONFIG) == [15]
    assert loss_model.get_output_sizes(CONFIG) == [1]
    assert network_model.get_input_sizes(CONFIG) == [2]
    assert network_model.get_output_sizes(CONFIG) == [2]
    assert loss_model.get_input_sizes() == [8]  # seed case 5 by default: W_1 3 × 2, W_2 2 × 1


def test_the_loss_gradient_is_v1_gradients(loss_model: umbridge.HTTPModel, server: Server) -> None:
    body = {**CONFIG, "network": network_config(THETA)}
    answer = httpx.post(f"{server.base_url}/v1/gradients", json=body).json()
    first, second = answer["layers"]
    expected = np.concatenate(
        [np.ravel(first["weights_gradient"]), first["bias_gradient"], np.ravel(second["weights_gradient"])]
    )
    gradient = loss_model.gradient(0, 0, [THETA.tolist()], [1.0], CONFIG)
    np.testing.assert_allclose(gradient, expected, rtol=1e-12, atol=1e-15)
    assert loss_model([THETA.tolist()], CONFIG) == [[pytest.approx(answer["loss"], rel=1e-12)]]
    doubled = loss_model.gradient(0, 0, [THETA.tolist()], [2.0], CONFIG)  # sensᵀ J: linear in sens
    np.testing.assert_allclose(doubled, 2 * expected, rtol=1e-12, atol=1e-15)


def test_the_loss_model_against_differences(loss_model: umbridge.HTTPModel) -> None:
    v = np.random.default_rng(1).normal(size=15)

    def evaluate(theta: np.ndarray) -> np.ndarray:
        return np.array(loss_model([theta.tolist()], CONFIG)[0])

    def gradient(theta: np.ndarray) -> np.ndarray:
        return np.array(loss_model.gradient(0, 0, [theta.tolist()], [1.0], CONFIG))

    along = central(evaluate, THETA, v)
    close(loss_model.apply_jacobian(0, 0, [THETA.tolist()], v.tolist(), CONFIG), along)
    close(gradient(THETA) @ v, along[0])
    hessian_v = loss_model.apply_hessian(0, 0, 0, [THETA.tolist()], [1.0], v.tolist(), CONFIG)
    close(hessian_v, central(gradient, THETA, v))
    scaled = loss_model.apply_hessian(0, 0, 0, [THETA.tolist()], [-0.5], v.tolist(), CONFIG)
    close(scaled, -0.5 * np.array(hessian_v), 1e-14)


def test_the_network_model_against_differences(network_model: umbridge.HTTPModel) -> None:
    config = {"network": network_config(THETA)}
    rng = np.random.default_rng(2)
    x, sens, vec = rng.normal(size=2), rng.normal(size=2), rng.normal(size=2)

    def evaluate(u: np.ndarray) -> np.ndarray:
        [output] = network_model([u.tolist()], config)
        return np.array(output)

    def gradient(u: np.ndarray) -> np.ndarray:
        return np.array(network_model.gradient(0, 0, [u.tolist()], sens.tolist(), config))

    y_hat = evaluate(x)
    assert y_hat.sum() == pytest.approx(1.0)  # a softmax
    close(network_model.apply_jacobian(0, 0, [x.tolist()], vec.tolist(), config), central(evaluate, x, vec))
    close(gradient(x) @ vec, sens @ central(evaluate, x, vec))
    hessian_v = network_model.apply_hessian(0, 0, 0, [x.tolist()], sens.tolist(), vec.tolist(), config)
    close(hessian_v, central(gradient, x, vec))


def test_a_one_layer_linear_network_has_the_closed_form_hessian(loss_model: umbridge.HTTPModel) -> None:
    """L = ½ ‖X W − Y‖²: ∇²L = blockdiag(XᵀX), one block per column of W; in θ's row-by-row order, XᵀX ⊗ I."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    config = {
        "network": {"layers": [{"weights": np.zeros((3, 2)).tolist(), "activation": "linear"}]},
        "inputs": X.tolist(),
        "targets": Y.tolist(),
    }
    theta, v = rng.normal(size=6), rng.normal(size=6)
    expected = (X.T @ X @ v.reshape(3, 2)).ravel()
    got = loss_model.apply_hessian(0, 0, 0, [theta.tolist()], [1.0], v.tolist(), config)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_errors_reach_the_client_as_the_protocol_says(loss_model: umbridge.HTTPModel, server: Server) -> None:
    with pytest.raises(Exception, match=r"InvalidInput: /input/0 has 3 numbers but the model's input is θ, 15"):
        loss_model([[1.0, 2.0, 3.0]], CONFIG)
    with pytest.raises(Exception, match=r"not supported by server"):
        umbridge.HTTPModel(f"{server.base_url}/umbridge", "posterior")
