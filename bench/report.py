"""The benchmark's report: a Markdown table with the goals, ``results.md``, and a bar chart, ``results.png``."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bench.load import Measurement

SERVICE = "service"
BASELINE = "baseline"
"""The service of another checkout (``python -m bench.run --baseline DIR``), measured in the same rounds."""


@dataclass(frozen=True)
class Result:
    """The median measurement of one server on one workload."""

    server: str
    workload: str
    measurement: Measurement


def machine(generator: str, pinned: bool) -> list[str]:
    """What the benchmark ran on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    packages = ", ".join(f"{name} {version(name)}" for name in ("numpy", "orjson", "pydantic", "fastapi", "uvicorn"))
    client = "load generator on core 1" if generator == "wrk" else "the client unpinned, in the benchmark's process"
    if generator == "wrk":
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n", 1)[0]
        generator = wrk.split(" [", 1)[0] or "wrk"
    pinning = f"servers on core 0 (2 workers: cores 0-1), {client}" if pinned else "no pinning"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- load generator: {generator}; {pinning}",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
    ]


def _rps(table: list[Result], server: str, workload: str) -> float | None:
    return next((r.measurement.rps for r in table if r.server == server and r.workload == workload), None)


def goals(table: list[Result]) -> list[str]:
    """The issue's goals, each with the ratio measured in this run."""
    rows = ["| goal | measured | met |", "|---|---|---|"]

    def goal(text: str, numerator: float | None, denominator: float | None, target: float) -> None:
        if numerator and denominator:
            ratio = numerator / denominator
            rows.append(f"| {text} (≥ {target:g}×) | {ratio:.2f}× | {'yes' if ratio >= target else 'no'} |")

    goal("seed: service ÷ HTTP floor", _rps(table, SERVICE, "seed"), _rps(table, "floor", "seed"), 0.8)
    goal("seed: service ÷ lean yardstick", _rps(table, SERVICE, "seed"), _rps(table, "lean", "seed"), 0.6)
    for workload in ("medium", "large"):
        ours = _rps(table, SERVICE, workload)
        goal(f"{workload}: service ÷ lean yardstick", ours, _rps(table, "lean", workload), 1.0)
        goal(f"{workload}: service ÷ naive reference", ours, _rps(table, "naive", workload), 10.0)
    for workload, base in (("large-compact", "large"), ("large-include", "large"), ("medium-compact", "medium")):
        goal(
            f"{workload}: service ÷ lean yardstick on {base}",
            _rps(table, SERVICE, workload),
            _rps(table, "lean", base),
            10.0,
        )
    for workload in dict.fromkeys(r.workload for r in table):
        two = _rps(table, f"{SERVICE}, 2 workers", workload)
        one = _rps(table, SERVICE, workload)
        if two and one:
            rows.append(f"| {workload}: 2 workers ÷ 1 worker (report only) | {two / one:.2f}× | |")
    for workload in dict.fromkeys(r.workload for r in table):
        before = _rps(table, BASELINE, workload)
        now = _rps(table, SERVICE, workload)
        if before and now:
            rows.append(f"| {workload}: service ÷ baseline, the same rounds (report only) | {now / before:.2f}× | |")
    return rows


def markdown(table: list[Result]) -> list[str]:
    """One row per server and workload; the last column is how many times faster the service is."""
    rows = [
        "| workload | server | requests/s | p50 ms | p99 ms | non-2xx | service ÷ server |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for workload in dict.fromkeys(r.workload for r in table):
        ours = _rps(table, SERVICE, workload)
        for r in (r for r in table if r.workload == workload):
            m = r.measurement
            ratio = f"{ours / m.rps:.2f}×" if ours and m.rps else ""
            rows.append(
                f"| {workload} | {r.server} | {m.rps:.1f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} | {m.non_2xx} | {ratio} |"
            )
    return rows


def chart(table: list[Result], path: Path) -> None:
    """Requests/s per workload and server, log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(r.workload for r in table))
    servers = list(dict.fromkeys(r.server for r in table))
    width = 0.8 / len(servers)
    figure, axes = plt.subplots(figsize=(11, 5))
    for i, server in enumerate(servers):
        measured = [(j, rps) for j, w in enumerate(workloads) if (rps := _rps(table, server, w))]
        xs = [j + i * width for j, _ in measured]
        ys = [rps for _, rps in measured]
        axes.bar(xs, ys, width, label=server)
    axes.set_xticks([j + 0.4 - width / 2 for j in range(len(workloads))], workloads)
    axes.set_yscale("log")
    axes.set_ylabel("requests/s (log scale)")
    axes.set_title("POST /v1/gradients: requests/s, median over rounds (higher is better)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_report(table: list[Result], out: Path, args: argparse.Namespace, generator: str, pinned: bool) -> str:
    """Write ``results.md`` and ``results.png`` into ``out``; return the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    settings = f"{args.rounds} round(s) of {args.duration:g} s per measurement, {args.connections} connections"
    lines = [
        "# Benchmark results",
        "",
        f"`python -m bench.run{' --quick' if args.quick else ''}`: {settings}, medians over rounds.",
        "",
        *machine(generator, pinned),
        "",
        *markdown(table),
        "",
        "## Goals",
        "",
        *goals(table),
        "",
        "![requests/s](results.png)",
        "",
    ]
    text = "\n".join(lines)
    (out / "results.md").write_text(text)
    chart(table, out / "results.png")
    return text
