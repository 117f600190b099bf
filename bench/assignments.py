"""What ``POST /v1/assignments`` costs a class: ``python -m bench.assignments``.

In-process (httpx.ASGITransport, no socket), 300 students per request: the median CPU time of the process
(all its threads: ``time.process_time``, which a machine shared with other work does not inflate as it does
the wall time) over a few requests, as JSON with the key and as Markdown sheets, beside the mean attempts a
problem took and the work the cost model (:func:`service.domain.limits.assignment_cost`) estimated, in seconds at 1 ns
a unit.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx

from gradcore import AssignmentTemplate, assign
from service.app import create_app
from service.domain import limits

STUDENTS = [f"student-{i:03d}" for i in range(300)]
TEMPLATES: dict[str, dict[str, Any]] = {
    "3-2-1 sigmoid, m = 1": {"sizes": [3, 2, 1], "activations": ["sigmoid", "sigmoid"]},
    "4-3-3-2 tanh, sigmoid, softmax, m = 2, bias, cross-entropy": {
        "sizes": [4, 3, 3, 2],
        "activations": ["tanh", "sigmoid", "softmax"],
        "loss": "cross_entropy",
        "examples": 2,
        "bias": True,
    },
    "3-3-1 relu, sigmoid, m = 3": {"sizes": [3, 3, 1], "activations": ["relu", "sigmoid"], "examples": 3},
}
REPEATS = 3


def attempts(template: dict[str, Any]) -> float:
    """The mean attempts of the 300 students' problems (gradcore, seed 0)."""
    problems = assign(
        0,
        AssignmentTemplate(
            tuple(template["sizes"]),
            tuple(template["activations"]),
            template.get("loss", "half_squared_error"),
            template.get("examples", 1),
            template.get("bias", False),
        ),
        STUDENTS,
    )
    return statistics.mean(problem.attempt + 1 for problem in problems)


async def measure() -> list[str]:
    rows = [
        "| template (300 students) | answer | median CPU s | mean attempts | estimated s |",
        "|---|---|---:|---:|---:|",
    ]
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
        for name, template in TEMPLATES.items():
            for markdown in (False, True):
                body = {"seed": 0, "students": STUDENTS, **template}
                if not markdown:
                    body["include"] = ["key"]
                times = []
                for _ in range(REPEATS):
                    start = time.process_time()
                    accept = "text/markdown" if markdown else "application/json"
                    answer = await client.post("/v1/assignments", json=body, headers={"Accept": accept})
                    times.append(time.process_time() - start)
                    answer.raise_for_status()
                cost = limits.assignment_cost(
                    len(STUDENTS),
                    template["sizes"],
                    template.get("examples", 1),
                    template.get("bias", False),
                    not markdown,
                    markdown,
                    relu_layers=template["activations"].count("relu"),
                )
                kind = "Markdown sheets" if markdown else "JSON with the key"
                rows.append(
                    f"| {name} | {kind} | {statistics.median(times):.2f} | {attempts(template):.1f} | "
                    f"{cost.work / 1e9:.2f} |"
                )
    return rows


if __name__ == "__main__":
    print("\n".join(asyncio.run(measure())))
