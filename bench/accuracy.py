"""How close ``/v1/gradients`` is to the exact gradients, beside PyTorch's autograd: ``python -m bench.accuracy``.

Random networks (every activation and loss, with and without biases) go through the service, in-process
and through JSON both ways, and, when torch is installed, through PyTorch's autograd in float64. Both are
compared with the exact gradients, computed here with :data:`DIGITS` significant digits (the standard
library's :mod:`decimal`). The error of a gradient ∂L/∂W_k or ∂L/∂b_k is its largest difference from the
exact one, over the exact one's largest entry.

With inputs of scale 10, sigmoid, tanh and softmax units saturate. An autograd engine computes σ′ as
ŷ (1 − ŷ), tanh′ as 1 − ŷ² and the softmax's product as ŷ * (dA − Σ dA ŷ), which round to nothing where ŷ
rounds to ±1; the service computes σ(z) σ(−z), 1 / cosh²(z) and the product relative to the row's largest
output (:mod:`gradcore.activations`), which keep their relative precision there.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import httpx
import numpy as np

from service.app import create_app

DIGITS = 40
"""Significant digits of the exact computation."""
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LAST = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}
"""The last layer's activation that a loss requires."""
LOSSES = ("half_squared_error", "mean_squared_error", "binary_cross_entropy", "cross_entropy")
Exact = Any
"""An object array of :class:`~decimal.Decimal` numbers (numpy's types have no element type for it)."""


def random_request(rng: np.random.Generator, scale: float) -> dict[str, Any]:
    """A network of 1 to 3 layers, 2 to 5 units each, m = 1 to 4 examples, X ~ N(0, scale²)."""
    loss = str(rng.choice(LOSSES))
    sizes = [int(n) for n in rng.integers(2, 6, size=int(rng.integers(2, 5)))]
    layers: list[dict[str, Any]] = []
    for k in range(len(sizes) - 1):
        activation = str(rng.choice(ACTIVATIONS))
        if k == len(sizes) - 2:
            activation = LAST.get(loss, "softmax" if rng.random() < 0.2 else activation)
        layer = {"weights": rng.normal(size=(sizes[k], sizes[k + 1])).tolist(), "activation": activation}
        if rng.random() < 0.5:
            layer["bias"] = rng.normal(size=sizes[k + 1]).tolist()
        layers.append(layer)
    m = int(rng.integers(1, 5))
    targets = rng.random((m, sizes[-1]))
    if loss == "cross_entropy":
        targets /= targets.sum(axis=1, keepdims=True)
    inputs = (scale * rng.normal(size=(m, sizes[0]))).tolist()
    return {"network": {"layers": layers}, "inputs": inputs, "targets": targets.tolist(), "loss": loss}


def _decimals(values: Any) -> Exact:
    """Floats (or decimals) as exact decimals, in an object array."""
    return np.vectorize(Decimal, otypes=[object])(np.array(values, dtype=object))


_exp = np.frompyfunc(lambda z: z.exp(), 1, 1)
_ln = np.frompyfunc(lambda z: z.ln(), 1, 1)


def _activate(name: str, Z: Exact) -> Exact:
    if name == "softmax":
        E = _exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    if name == "sigmoid":
        return 1 / (1 + _exp(-Z))
    if name == "tanh":
        return (_exp(2 * Z) - 1) / (_exp(2 * Z) + 1)
    return Z * (Z > 0) if name == "relu" else Z


def _backward_through(name: str, dA: Exact, Z: Exact, A: Exact) -> Exact:
    """∂L/∂Z from ∂L/∂A, with the exact derivatives: σ′ = e^(−z) / (1 + e^(−z))², tanh′ = 4 / (e^z + e^(−z))²,
    and, row by row, the softmax's ∂L/∂z_i = a_i (∂L/∂a_i − Σ_j ∂L/∂a_j a_j)."""
    if name == "softmax":
        return A * (dA - (dA * A).sum(axis=1, keepdims=True))
    if name == "sigmoid":
        return dA * _exp(-Z) / (1 + _exp(-Z)) ** 2
    if name == "tanh":
        return dA * 4 / (_exp(Z) + _exp(-Z)) ** 2
    return dA * (Z > 0) if name == "relu" else dA


def _loss(loss: str, A: Exact, Y: Exact) -> Decimal:
    if loss == "half_squared_error":
        return Decimal(((Y - A) ** 2 / 2).sum())
    if loss == "mean_squared_error":
        return Decimal(((Y - A) ** 2).sum() / A.size)
    if loss == "binary_cross_entropy":
        return Decimal(-(Y * _ln(A) + (1 - Y) * _ln(1 - A)).sum() / A.size)
    return Decimal(-(Y * _ln(A)).sum() / len(A))


def _output_delta(loss: str, activation: str, Z: Exact, A: Exact, Y: Exact) -> Exact:
    """Δ_L = ∂L/∂Z_L of :func:`_loss`: (ŷ − y) / (m n_L) with a sigmoid for the binary cross-entropy, and
    (ŷ Σ_j y_j − y) / m with a softmax for the cross-entropy (exact, even where ŷ rounds to 1 here)."""
    if loss == "binary_cross_entropy":
        return (A - Y) / A.size
    if loss == "cross_entropy":
        return (A * Y.sum(axis=1, keepdims=True) - Y) / len(A)
    factor = 1 if loss == "half_squared_error" else Decimal(2) / A.size
    return _backward_through(activation, factor * (A - Y), Z, A)


def exact(request: dict[str, Any]) -> tuple[Decimal, list[Exact], list[Exact | None]]:
    """The loss, every ∂L/∂W_k and every ∂L/∂b_k (``None`` without a bias), to :data:`DIGITS` digits."""
    with localcontext() as context:
        context.prec = DIGITS
        layers = request["network"]["layers"]
        Ws = [_decimals(layer["weights"]) for layer in layers]
        A, Y = _decimals(request["inputs"]), _decimals(request["targets"])
        As, Zs = [A], []
        for layer, W in zip(layers, Ws, strict=True):
            Z = A @ W + (_decimals(layer["bias"]) if "bias" in layer else Decimal(0))
            A = _activate(layer["activation"], Z)
            Zs.append(Z)
            As.append(A)
        delta = _output_delta(request["loss"], layers[-1]["activation"], Zs[-1], A, Y)
        dWs: list[Exact] = []
        dbs: list[Exact | None] = []
        for k in reversed(range(len(layers))):
            dWs.insert(0, As[k].T @ delta)
            dbs.insert(0, delta.sum(axis=0) if "bias" in layers[k] else None)
            if k > 0:
                delta = _backward_through(layers[k - 1]["activation"], delta @ Ws[k].T, Zs[k - 1], As[k])
        return _loss(request["loss"], A, Y), dWs, dbs


def error(computed: Any, exact_values: Any) -> float:
    """Largest difference from the exact array, over its largest entry (0 for an exact zero array computed so)."""
    reference = np.array(exact_values, dtype=float)
    difference = float(np.max(np.abs(np.asarray(computed, dtype=float) - reference)))
    largest = float(np.max(np.abs(reference)))
    return difference / largest if largest else difference


def torch_gradients(request: dict[str, Any]) -> list[Any] | None:
    """∂L/∂W_k and ∂L/∂b_k (``None`` without a bias) by PyTorch's autograd in float64; ``None`` without torch.

    The losses as the engine's users write them: on the outputs, or on z_L through ``log_softmax`` and
    ``binary_cross_entropy_with_logits`` (its numerically stable forms).
    """
    try:
        import torch
    except ImportError:
        return None
    functions = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}
    functions["softmax"] = lambda z: torch.softmax(z, dim=1)
    parameters = []
    A = torch.tensor(request["inputs"], dtype=torch.float64)
    for layer in request["network"]["layers"]:
        W = torch.tensor(layer["weights"], dtype=torch.float64, requires_grad=True)
        b = torch.tensor(layer["bias"], dtype=torch.float64, requires_grad=True) if "bias" in layer else None
        Z = A @ W + (b if b is not None else 0)
        A = functions[layer["activation"]](Z)
        parameters += [W, b]
    Y, loss = torch.tensor(request["targets"], dtype=torch.float64), request["loss"]
    if loss == "half_squared_error":
        L = ((Y - A) ** 2).sum() / 2
    elif loss == "mean_squared_error":
        L = ((Y - A) ** 2).mean()
    elif loss == "binary_cross_entropy":
        L = torch.nn.functional.binary_cross_entropy_with_logits(Z, Y)
    else:
        L = -(Y * torch.log_softmax(Z, dim=1)).sum() / len(Y)
    L.backward()
    return [None if p is None else p.grad.numpy() for p in parameters]


@dataclass
class Errors:
    """The largest errors over a set of networks."""

    gradients: int = 0
    service: float = 0.0
    pytorch: float | None = None
    """``None`` without torch."""
    pytorch_off: int = 0
    """PyTorch's gradients whose error is over :data:`OFF`."""


OFF = 1e-9
"""A gradient off by more than this fraction of its size is counted (the table's last column)."""


async def measure(scale: float, networks: int, seed: int = 0) -> Errors:
    """The largest errors of the service and of PyTorch over ``networks`` random networks, X ~ N(0, scale²)."""
    rng = np.random.default_rng([seed, int(scale * 1000)])
    errors = Errors()
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://accuracy") as client:
        for _ in range(networks):
            request = random_request(rng, scale)
            answer = (await client.post("/v1/gradients", json=request)).raise_for_status().json()
            _, dWs, dbs = exact(request)
            expected = [g for pair in zip(dWs, dbs, strict=True) for g in pair]
            served = [g for layer in answer["layers"] for g in (layer["weights_gradient"], layer.get("bias_gradient"))]
            engine = torch_gradients(request)
            for index, reference in enumerate(expected):
                if reference is None:
                    continue
                errors.gradients += 1
                errors.service = max(errors.service, error(served[index], reference))
                if engine is not None:
                    off = error(engine[index], reference)
                    errors.pytorch = max(errors.pytorch or 0.0, off)
                    errors.pytorch_off += off > OFF
    return errors


def table(networks: int, seed: int) -> list[str]:
    rows = [
        "| inputs X | networks | gradients | service: largest error | PyTorch: largest error | "
        "PyTorch: gradients off by > 1e-9 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for scale in (1.0, 10.0):
        errors = asyncio.run(measure(scale, networks, seed))
        pytorch = "not installed | " if errors.pytorch is None else f"{errors.pytorch:.1e} | {errors.pytorch_off}"
        rows.append(f"| N(0, {scale:g}²) | {networks} | {errors.gradients} | {errors.service:.1e} | {pytorch} |")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--networks", type=int, default=300, help="random networks per input scale")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    print("\n".join(table(arguments.networks, arguments.seed)))
