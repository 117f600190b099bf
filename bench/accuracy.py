"""How close ``/v1/gradients`` is to the exact answers, beside PyTorch's autograd: ``python -m bench.accuracy``.

Random networks (every activation and loss, with and without biases) go through the service, in-process
and through JSON both ways, and, when torch is installed, through PyTorch's autograd in float64. Both are
compared with the exact loss and gradients ∂L/∂W_k, ∂L/∂b_k and ∂L/∂X, computed here with :data:`DIGITS`
significant digits (the standard library's :mod:`decimal`). The error of a value is its largest difference
from the exact one, over the exact one's largest entry.

With inputs of scale 10, sigmoid, tanh and softmax units saturate. An autograd engine computes σ′ as
ŷ (1 − ŷ), tanh′ as 1 − ŷ² and the softmax's product as ŷ * (dA − Σ dA ŷ), which round to nothing where ŷ
rounds to ±1; the service computes σ(z) σ(−z), 1 / cosh²(z) and the product relative to the row's largest
output (:mod:`gradcore.core.activations`), which keep their relative precision there.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import httpx
import numpy as np

from service.app import create_app

DIGITS = 60
"""Significant digits of the exact computation: the softmax's product, which cancels to about e^(−gap) of
the largest output, keeps 16 of them while the gap between a row's two largest z stays under some 100."""
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


def _activate(name: str, Z: Exact) -> Exact:
    if name == "softmax":
        E = _exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    if name == "sigmoid":
        return 1 / (1 + _exp(-Z))
    if name == "tanh":
        E = _exp(2 * Z)
        return (E - 1) / (E + 1)
    return Z * (Z > 0) if name == "relu" else Z


def _backward_through(name: str, dA: Exact, Z: Exact, A: Exact) -> Exact:
    """∂L/∂Z from ∂L/∂A, with the exact derivatives: σ′ = e^(−z) / (1 + e^(−z))², tanh′ = 4 / (e^z + e^(−z))²,
    and, row by row, the softmax's ∂L/∂z_i = a_i (∂L/∂a_i − Σ_j ∂L/∂a_j a_j)."""
    if name == "softmax":
        return A * (dA - (dA * A).sum(axis=1, keepdims=True))
    if name == "sigmoid":
        E = _exp(-Z)
        return dA * E / (1 + E) ** 2
    if name == "tanh":
        return dA * 4 / (_exp(Z) + _exp(-Z)) ** 2
    return dA * (Z > 0) if name == "relu" else dA


def _log1p(x: Decimal) -> Decimal:
    """ln(1 + x) for x ≥ 0 with all the digits of x, however small it is (1 + x is formed with enough digits)."""
    with localcontext() as context:
        context.prec = DIGITS + max(0, -x.adjusted())
        return (1 + x).ln()


def _softplus(z: Decimal) -> Decimal:
    """ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|))."""
    return max(z, Decimal(0)) + _log1p((-abs(z)).exp())


def _log_softmax(Z: Exact) -> Exact:
    """ln ŷ row by row: z − max − ln(1 + Σ of the other e^(z − max)), that sum formed without the 1."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    others = _exp(shifted)
    others[np.arange(len(Z)), shifted.argmax(axis=1)] = Decimal(0)
    return shifted - np.frompyfunc(_log1p, 1, 1)(others.sum(axis=1, keepdims=True))


def _loss(loss: str, Z: Exact, A: Exact, Y: Exact) -> Decimal:
    """L of the definitions; the cross-entropies from z_L, where ŷ may round to 1 even with 60 digits:
    −[y ln ŷ + (1 − y) ln(1 − ŷ)] = softplus(z) − y z for a sigmoid, and ln ŷ = log_softmax(z)."""
    if loss == "half_squared_error":
        return Decimal(((Y - A) ** 2 / 2).sum())
    if loss == "mean_squared_error":
        return Decimal(((Y - A) ** 2).sum() / A.size)
    if loss == "binary_cross_entropy":
        return Decimal((np.frompyfunc(_softplus, 1, 1)(Z) - Y * Z).sum() / A.size)
    return Decimal(-(Y * _log_softmax(Z)).sum() / len(A))


def _output_delta(loss: str, activation: str, Z: Exact, A: Exact, Y: Exact) -> Exact:
    """Δ_L = ∂L/∂Z_L of :func:`_loss`: (ŷ − y) / (m n_L) with a sigmoid for the binary cross-entropy, and
    (ŷ Σ_j y_j − y) / m with a softmax for the cross-entropy (exact, even where ŷ rounds to 1 here)."""
    if loss == "binary_cross_entropy":
        return (A - Y) / A.size
    if loss == "cross_entropy":
        return (A * Y.sum(axis=1, keepdims=True) - Y) / len(A)
    factor = 1 if loss == "half_squared_error" else Decimal(2) / A.size
    return _backward_through(activation, factor * (A - Y), Z, A)


def exact(request: dict[str, Any]) -> list[tuple[str, Exact]]:
    """The loss, every ∂L/∂W_k and ∂L/∂b_k, and ∂L/∂X, named by the service's fields, to :data:`DIGITS` digits."""
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
        values = [("loss", _loss(request["loss"], Zs[-1], A, Y))]
        for k in reversed(range(len(layers))):
            values.append((f"layers/{k}/weights_gradient", As[k].T @ delta))
            if "bias" in layers[k]:
                values.append((f"layers/{k}/bias_gradient", delta.sum(axis=0)))
            if k > 0:
                delta = _backward_through(layers[k - 1]["activation"], delta @ Ws[k].T, Zs[k - 1], As[k])
        return [*values, ("input_gradient", delta @ Ws[0].T)]


def field(answer: dict[str, Any], name: str) -> Any:
    """The value at ``name``, a path such as ``layers/0/weights_gradient``, of an answer."""
    value: Any = answer
    for key in name.split("/"):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def error(computed: Any, exact_values: Any) -> float:
    """Largest difference from the exact array, over its largest entry (0 for an exact zero array computed so)."""
    reference = np.array(exact_values, dtype=float)
    difference = float(np.max(np.abs(np.asarray(computed, dtype=float) - reference)))
    largest = float(np.max(np.abs(reference)))
    return difference / largest if largest else difference


def torch_answer(request: dict[str, Any]) -> dict[str, Any] | None:
    """The loss and ∂L/∂W_k, ∂L/∂b_k and ∂L/∂X, by PyTorch's autograd in float64; ``None`` without torch.

    The losses as the engine's users write them: on the outputs, or on z_L through ``log_softmax`` and
    ``binary_cross_entropy_with_logits`` (its numerically stable forms).
    """
    try:
        import torch
    except ImportError:
        return None
    functions: dict[str, Callable[[Any], Any]] = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "linear": lambda z: z,
    }
    functions["softmax"] = lambda z: torch.softmax(z, dim=1)

    def tensor(values: Any) -> Any:
        return torch.tensor(values, dtype=torch.float64, requires_grad=True)

    X = tensor(request["inputs"])
    A, parameters = X, {}
    for k, layer in enumerate(request["network"]["layers"]):
        W = parameters[f"layers/{k}/weights_gradient"] = tensor(layer["weights"])
        Z = A @ W
        if "bias" in layer:
            Z = Z + (b := tensor(layer["bias"]))
            parameters[f"layers/{k}/bias_gradient"] = b
        A = functions[layer["activation"]](Z)
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
    return {"loss": L.item(), "input_gradient": X.grad.numpy()} | {
        name: p.grad.numpy() for name, p in parameters.items()
    }


@dataclass
class Errors:
    """The largest errors over a set of networks."""

    values: int = 0
    """The losses and gradients compared."""
    service: float = 0.0
    pytorch: float | None = None
    """``None`` without torch."""
    pytorch_off: int = 0
    """PyTorch's losses and gradients whose error is over :data:`OFF`."""


OFF = 1e-9
"""A value off by more than this fraction of its size is counted (the table's last column)."""
INCLUDE = ["loss", "weights_gradient", "bias_gradient", "input_gradient"]
"""What the service is asked for."""


async def measure(scale: float, networks: int, seed: int = 0) -> Errors:
    """The largest errors of the service and of PyTorch over ``networks`` random networks, X ~ N(0, scale²)."""
    rng = np.random.default_rng([seed, int(scale * 1000)])
    errors = Errors()
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://accuracy") as client:
        for _ in range(networks):
            request = random_request(rng, scale)
            answer = await client.post("/v1/gradients", json={**request, "include": INCLUDE})
            served, engine = answer.raise_for_status().json(), torch_answer(request)
            for name, reference in exact(request):
                errors.values += 1
                errors.service = max(errors.service, error(field(served, name), reference))
                if engine is not None:
                    off = error(engine[name], reference)
                    errors.pytorch = max(errors.pytorch or 0.0, off)
                    errors.pytorch_off += off > OFF
    return errors


def table(networks: int, seed: int) -> list[str]:
    rows = [
        "| inputs X | networks | values | service: largest error | PyTorch: largest error | "
        "PyTorch: values off by > 1e-9 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for scale in (1.0, 10.0):
        errors = asyncio.run(measure(scale, networks, seed))
        pytorch = "not installed | " if errors.pytorch is None else f"{errors.pytorch:.1e} | {errors.pytorch_off}"
        rows.append(f"| N(0, {scale:g}²) | {networks} | {errors.values} | {errors.service:.1e} | {pytorch} |")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--networks", type=int, default=300, help="random networks per input scale")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    print("\n".join(table(arguments.networks, arguments.seed)))
