"""The heavy endpoints side by side with PyTorch: gradient check, training, verify and derivation (issue 29).

Workloads, one BLAS thread (and one torch thread) each, the best of a few runs:

* **check**: a 64-32-10 tanh/softmax network (2410 weights and biases) on m = 16 rows of sklearn's digits, and a
  784-64-10 one (50,890) on m = 32 rows of the digits scaled up to 28 × 28 (random data of those shapes when
  sklearn is missing), cross-entropy: ``gradcore.check_gradients`` in process, ``POST /v1/gradients/check``
  under the default settings (in process, httpx's ASGI transport), and ``torch.autograd.gradcheck`` (float64);
* **train**: 300 full-batch gradient-descent steps on 1347 rows, both networks: ``gradcore.gradient_descent``
  against the same loop in PyTorch float64, and how far apart the trained weights are;
* **verify** and **derivation** of the 784-64-10 network at m = 32, in process and over HTTP.

    python -m bench.heavy                 # the table, with the before column: the tree at BEFORE, in a subprocess
    python -m bench.heavy --no-before     # without it
    python -m bench.heavy --quick         # tiny networks, no torch gradcheck: a smoke test of seconds
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
import orjson
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from gradcore import Array, Layer, backward, check_gradients, derive, diagnose, forward, gradient_descent
from service.app import create_app
from service.domain.settings import Settings

BEFORE = "8a547b7"
"""The tree before issue 29."""
LOSS = "cross_entropy"
GOALS = {
    "check digits": "< 0.1 s, ≥ 20× torch",
    "check 784-64-10": "< 2 s, ≥ 20× torch",
    "train digits": "≥ 1.0× torch, weights to 1e-12",
    "train 784-64-10": "≥ 1.0× torch, weights to 1e-12",
    "verify 784-64-10": "< 1 s",
    "derivation 784-64-10": "< 1 s",
}


Workload = tuple[list[Layer], Array, Array, int, float]
"""A network, its inputs X and one-hot targets Y (1347 rows), the m of its check, its learning rate."""


def workloads(quick: bool) -> tuple[dict[str, Workload], str]:
    """The digits and the 784-64-10 workloads (tiny networks when ``quick``), and where their data comes from."""
    widths, inputs, labels, source = data(quick)
    found = {}
    for name, m, lr in (("digits", 16, 0.5), ("784-64-10", 32, 0.1)):
        columns = slice(0, widths["digits"][0]) if name == "digits" else slice(widths["digits"][0], None)
        n_L = widths[name][-1]
        found[name] = (network(widths[name], 29), inputs[:, columns], np.eye(n_L)[labels % n_L], m, lr)
    return found, source


def data(quick: bool) -> tuple[dict[str, tuple[int, ...]], Array, NDArray[np.int_], str]:
    """Widths of the two networks, inputs (rows of n_0 and of n_0' numbers side by side), labels 0 … 9."""
    widths: dict[str, tuple[int, ...]]
    if quick:
        widths = {"digits": (8, 4, 3), "784-64-10": (12, 6, 3)}
    else:
        widths = {"digits": (64, 32, 10), "784-64-10": (784, 64, 10)}
    try:
        digits = importlib.import_module("sklearn.datasets").load_digits()
        small = digits.data[:1347] / 16.0
        labels = digits.target[:1347]
        large = np.pad(np.kron(small.reshape(-1, 8, 8), np.ones((3, 3))), ((0, 0), (2, 2), (2, 2))).reshape(-1, 784)
        source = "sklearn's digits (the 784 inputs: each digit scaled up 3× and padded to 28 × 28)"
    except ImportError:
        rng = np.random.default_rng(29)
        small, large, labels = rng.uniform(0, 1, (1347, 64)), rng.uniform(0, 1, (1347, 784)), rng.integers(0, 10, 1347)
        source = "random data of the digits' shapes (sklearn is not installed)"
    inputs: Array = np.hstack([small[:, : widths["digits"][0]], large[:, : widths["784-64-10"][0]]])
    classes: NDArray[np.int_] = np.asarray(labels, dtype=np.int_)
    return widths, inputs, classes, source


def network(widths: tuple[int, ...], seed: int) -> list[Layer]:
    """tanh hidden layers, a softmax output; W ~ N(0, 1/n_{k−1}), b ~ N(0, 0.01)."""
    rng = np.random.default_rng(seed)
    activations = ["tanh"] * (len(widths) - 2) + ["softmax"]
    return [
        Layer(rng.normal(size=(a, b)) / np.sqrt(a), f, rng.normal(size=b) / 10)
        for (a, b), f in zip(itertools.pairwise(widths), activations, strict=True)
    ]


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
"""``cpu``: the CPU seconds of this process (all its threads), what one core spends on the work whatever else
the machine runs; ``wall``: elapsed seconds, which on a loaded machine include waiting for the core."""
clock = CLOCKS["cpu"]


def best(run: Callable[[], object], repeats: int) -> float:
    seconds = []
    for _ in range(repeats):
        start = clock()
        run()
        seconds.append(clock() - start)
    return min(seconds)


def torch_forward(torch: Any, parameters: list[Any], X: Any, Y: Any) -> Any:
    A = X
    for k in range(0, len(parameters), 2):
        Z = A @ parameters[k] + parameters[k + 1]
        A = torch.tanh(Z) if k + 2 < len(parameters) else Z
    return -(Y * torch.log_softmax(A, dim=1)).sum() / len(Y)


def torch_rows(
    workload: Workload, steps: int, check: bool, ours: Callable[[], object] | None = None, repeats: int = 3
) -> dict[str, Any]:
    """torch.autograd.gradcheck of the network (when ``check``) and ``steps`` of SGD, in float64; {} without torch.

    ``ours``, gradcore's training, runs before each of the ``repeats`` runs of torch's: the two alternate, so that
    the load of the machine weighs on both alike; its best time is ``found["ours"]``.
    """
    try:
        import torch
    except ImportError:
        return {}
    torch.set_num_threads(1)
    layers, X, Y, m, lr = workload
    found: dict[str, Any] = {}
    tensors = [torch.tensor(p, requires_grad=True) for layer in layers for p in (layer.W, layer.b)]
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    if check:
        inputs = (Xt[:m], Yt[:m])
        found["check"] = best(
            lambda: torch.autograd.gradcheck(lambda *p: torch_forward(torch, list(p), *inputs), tensors), 1
        )

    def train() -> None:
        trained: list[Any] = [t.detach().clone().requires_grad_(True) for t in tensors]
        for _ in range(steps):
            for t in trained:
                t.grad = None
            torch_forward(torch, trained, Xt, Yt).backward()
            with torch.no_grad():
                for t in trained:
                    t -= lr * t.grad
        found["weights"] = [t.detach().numpy() for t in trained]

    ours_seconds, theirs_seconds = [], []
    for _ in range(repeats):
        if ours is not None:
            ours_seconds.append(best(ours, 1))
        theirs_seconds.append(best(train, 1))
    found["train"] = min(theirs_seconds)
    if ours_seconds:
        found["ours"] = min(ours_seconds)
    return found


async def http_seconds(app: Any, path: str, content: dict[str, Any], repeats: int) -> float | str:
    """The best time of ``repeats`` POSTs, or the status and problem title when refused."""
    body = orjson.dumps(content, default=lambda a: np.asarray(a).tolist(), option=orjson.OPT_SERIALIZE_NUMPY)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://heavy", timeout=600
    ) as client:
        seconds = []
        for _ in range(repeats):
            start = clock()
            response = await client.post(path, content=body, headers={"content-type": "application/json"})
            seconds.append(clock() - start)
            if response.status_code != 200:
                return f"refused ({response.status_code})"
    return min(seconds)


def request(layers: list[Layer], X: Array, Y: Array) -> dict[str, Any]:
    wire = [{"weights": layer.W, "bias": layer.b, "activation": layer.activation} for layer in layers]
    return {"network": {"layers": wire}, "inputs": X, "targets": Y, "loss": LOSS}


def measure(quick: bool) -> dict[str, Any]:
    """Every gradcore and HTTP figure of the workloads, in seconds (an HTTP refusal as text)."""
    every, source = workloads(quick)
    app = create_app(Settings())
    found: dict[str, Any] = {"data": source}
    for name, workload in every.items():
        found |= measure_one(app, name, workload, quick)
    return found


def measure_one(app: Any, name: str, workload: Workload, quick: bool) -> dict[str, Any]:
    layers, X, Y, m, lr = workload
    steps, repeats = (3, 3) if quick else (300, 3 if name == "digits" else 1)
    found: dict[str, Any] = {}
    found[f"check {name}"] = best(lambda: check_gradients(layers, X[:m], Y[:m], LOSS), repeats)
    body = request(layers, X[:m], Y[:m])
    found[f"check {name} http"] = asyncio.run(http_seconds(app, "/v1/gradients/check", body, repeats))
    trained = gradient_descent(layers, X, Y, LOSS, lr, steps).layers
    found[f"train {name}"] = best(lambda: gradient_descent(layers, X, Y, LOSS, lr, steps), 2)
    found[f"train {name} weights"] = [np.asarray(p).tolist() for layer in trained for p in (layer.W, layer.b)]
    if name == "digits":
        return found
    grads = backward(layers, forward(layers, X[:m]), Y[:m], LOSS)
    claimed = [dW.copy() for dW in grads.dW]
    claimed[0][3, 4] = -claimed[0][3, 4]  # one wrong entry
    found[f"verify {name}"] = best(lambda: diagnose(layers, X[:m], Y[:m], claimed, list(grads.db), LOSS), 3)
    verify = body | {"claimed_gradients": claimed, "claimed_bias_gradients": list(grads.db)}
    found[f"verify {name} http"] = asyncio.run(http_seconds(app, "/v1/gradients/verify", verify, 3))
    found[f"derivation {name}"] = best(lambda: derive(layers, X[:m], Y[:m], LOSS), 3)
    found[f"derivation {name} http"] = asyncio.run(http_seconds(app, "/v1/derivation", body, 3))
    return found


def measure_before(tree: str, clock_name: str) -> dict[str, Any]:
    """:func:`measure` on the tree at commit ``tree``, in a subprocess that imports gradcore and service from it."""
    with tempfile.TemporaryDirectory() as directory:
        archive = subprocess.run(["git", "archive", tree], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
        environment = os.environ | {"PYTHONPATH": directory}
        command = [sys.executable, __file__, "--measure-json", "--clock", clock_name]
        output = subprocess.run(command, check=True, capture_output=True, env=environment, cwd=directory).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def cell(value: Any) -> str:
    return "–" if value is None else value if isinstance(value, str) else f"{value:.3g}"


def table(
    after: dict[str, Any], before: dict[str, Any], torch: dict[str, dict[str, Any]], clock_name: str
) -> list[str]:
    lines = [
        f"Data: {after['data']}. {clock_name.upper()} seconds, the best of a few runs, one thread each; load "
        f"average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| workload | before s | after s | PyTorch s | after vs PyTorch | HTTP before s | HTTP after s | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, goal in GOALS.items():
        kind, name = key.split(" ")
        theirs = torch.get(name, {}).get(kind) if kind in ("check", "train") else None
        speedup = "–" if theirs is None else f"{theirs / after[key]:.1f}×"
        if kind == "train" and "weights" in torch.get(name, {}):
            mine = np.concatenate([np.ravel(p) for p in after[f"{key} weights"]])
            difference = np.abs(mine - np.concatenate([p.ravel() for p in torch[name]["weights"]])).max()
            speedup += f" (weights within {difference:.1e})"
        http_before, http_after = before.get(f"{key} http"), after.get(f"{key} http")
        row = [key, cell(before.get(key)), cell(after[key]), cell(theirs), speedup, cell(http_before), cell(http_after)]
        lines.append("| " + " | ".join([*row, goal]) + " |")
    return lines


def training(workload: Workload, steps: int) -> Callable[[], object]:
    layers, X, Y, _, lr = workload
    return lambda: gradient_descent(layers, X, Y, LOSS, lr, steps)


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny networks, no torch gradcheck, no before column")
    parser.add_argument("--no-before", action="store_true", help=f"leave out the tree at {BEFORE}")
    parser.add_argument("--clock", choices=list(CLOCKS), default="cpu", help="CPU seconds (default) or wall-clock")
    parser.add_argument("--measure-json", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    global clock
    clock = CLOCKS[options.clock]
    with threadpool_limits(limits=1):
        if options.measure_json:
            print(json.dumps(measure(quick=False)))
            return []
        after = measure(options.quick)
        every, _ = workloads(options.quick)
        steps = 3 if options.quick else 300
        torch = {name: torch_rows(w, steps, not options.quick, training(w, steps)) for name, w in every.items()}
        for name in every:
            if "ours" in torch[name]:  # gradcore's training measured alternately with torch's
                after[f"train {name}"] = torch[name]["ours"]
    before = {} if options.quick or options.no_before else measure_before(BEFORE, options.clock)
    lines = table(after, before, torch, options.clock)
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
