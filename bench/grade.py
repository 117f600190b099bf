"""``python -m bench.grade``: a class of 300 students, full answers for a 3-layer network, graded by one worker.

Each student has their own problem (3 → 4 → 3 → 2 sigmoid, m = 4) and a full answer written to 4 significant
digits, a fifth of them with a mistake (a sign, a transpose, a 1/m scale, σ′ left out with its error carried
forward). The whole request, body read to answer written, is posted in-process (httpx's ASGI transport, no
socket) to the app of one worker, with one BLAS thread; the table gives the median of 5 runs and the
per-stage time of grading only (gradcore, no HTTP). Goal: under 2 s.

The second row is the hardest class we know of: the assignment given once at the top (the service makes each
student's problem again), and every student with the sign of Δ_3 slipped and carried through Δ_2, Δ_1 and every
∂L/∂W_k, so that each of their later quantities is graded against their own values too. Its problems have one
example each (m = 1): with m = 4 the assignment of 300 students is refused by ``max_request_work``, since its
draws meet the rules of hand work about once in 1.2^(m·Σn_k) ≈ 700 attempts (docs/grading.md).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import httpx
import numpy as np
from threadpoolctl import threadpool_limits

from gradcore import Answer, Layer, LayerAnswer, backward, forward, grade
from service.app import create_app
from service.domain.settings import Settings

STUDENTS = 300
RUNS = 5


def written(x: np.ndarray) -> Any:
    return np.vectorize(lambda v: float(f"{v:.3e}"))(x).tolist()


def submission(index: int) -> dict[str, Any]:
    rng = np.random.default_rng(index)
    Ws = [np.round(rng.normal(size=s), 2) for s in ((3, 4), (4, 3), (3, 2))]
    X, Y = np.round(rng.normal(size=(4, 3)), 2), np.round(rng.uniform(size=(4, 2)), 2)
    layers = [Layer(W=W) for W in Ws]
    cache = forward(layers, X)
    grads = backward(layers, cache, Y)
    dW = list(grads.dW)
    mistake = index % 5
    if mistake == 1:
        dW[0] = -dW[0]
    elif mistake == 2:
        dW[1] = dW[1].T
    elif mistake == 3:
        dW[2] = dW[2] / 4
    answer = {
        "loss": float(f"{grads.loss:.3e}"),
        "output": written(cache.output),
        "layers": [
            {
                "pre_activation": written(cache.Z[k]),
                "activation": written(cache.A[k]),
                "delta": written(grads.delta[k]),
                "weights_gradient": written(dW[k]),
            }
            for k in range(3)
        ],
    }
    problem = {
        "network": {"layers": [{"weights": W.tolist()} for W in Ws]},
        "inputs": X.tolist(),
        "targets": Y.tolist(),
    }
    return {"student": f"s{index:03d}", "problem": problem, "answer": answer}


TEMPLATE = {"seed": 2026, "sizes": [3, 4, 3, 2], "activations": ["sigmoid"] * 3, "examples": 1, "decimals": 2}


def carried_class() -> bytes:
    """The second row's request: the assignment at the top, and every answer with Δ_3's sign carried forward."""

    async def keys() -> list[dict[str, Any]]:
        students = [f"s{index:03d}" for index in range(STUDENTS)]
        app = create_app(Settings())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            body = {**TEMPLATE, "students": students, "include": ["key"]}
            problems: list[dict[str, Any]] = (await client.post("/v1/assignments", json=body)).json()["problems"]
        return problems

    submissions = []
    for entry in asyncio.run(keys()):
        key = entry["key"]
        layers = [
            {name: written(np.array(layer[name])) for name in ("pre_activation", "activation")}
            | {name: written(-np.array(layer[name])) for name in ("delta", "weights_gradient")}
            for layer in key["layers"]
        ]
        answer = {"loss": float(f"{key['loss']:.3e}"), "output": written(np.array(key["output"])), "layers": layers}
        submissions.append({"student": entry["student"], "answer": answer})
    assignment = {**TEMPLATE, "students": [item["student"] for item in submissions]}
    return json.dumps({"assignment": assignment, "submissions": submissions}).encode()


async def post(body: bytes) -> float:
    app = create_app(Settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        start = time.perf_counter()
        response = await client.post("/v1/grade", content=body, headers={"Content-Type": "application/json"})
        elapsed = time.perf_counter() - start
    if response.status_code != 200 or response.json()["summary"]["graded"] != STUDENTS:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:300]}")
    return elapsed


def grading_only(submissions: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for item in submissions:
        layers = [Layer(W=np.array(layer["weights"])) for layer in item["problem"]["network"]["layers"]]
        a = item["answer"]
        answer = Answer(
            np.array(a["loss"]),
            np.array(a["output"]),
            tuple(
                LayerAnswer(
                    *(np.array(layer[f]) for f in ("pre_activation", "activation", "delta", "weights_gradient"))
                )
                for layer in a["layers"]
            ),
        )
        grade(
            layers, np.array(item["problem"]["inputs"]), np.array(item["problem"]["targets"]), answer, unanswered=True
        )
    return time.perf_counter() - start


def main() -> None:
    submissions = [submission(i) for i in range(STUDENTS)]
    body = json.dumps({"submissions": submissions}).encode()
    with threadpool_limits(1):
        whole = [asyncio.run(post(body)) for _ in range(RUNS)]
        core = [grading_only(submissions) for _ in range(RUNS)]
    print(
        f"| {STUDENTS} students, 3 layers, full answers ({len(body) / 1e6:.2f} MB) | "
        f"{statistics.median(whole):.2f} s | {statistics.median(core):.2f} s | < 2 s |"
    )
    hardest = carried_class()
    with threadpool_limits(1):
        whole = [asyncio.run(post(hardest)) for _ in range(RUNS)]
    print(
        f"| {STUDENTS} students from one assignment, every one Δ_3's sign carried forward "
        f"({len(hardest) / 1e6:.2f} MB) | {statistics.median(whole):.2f} s | — | < 2 s |"
    )


if __name__ == "__main__":
    main()
