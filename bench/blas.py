"""BLAS threads per process: the library's default against one thread, on a quiet and on a busy machine.

``python3 -m uv run --locked python -m bench.blas`` trains a 64-32-10 network for 300 steps on 1257 rows
(the size of scikit-learn's digits training split, random numbers here) in a fresh process for each
setting, once alone and once beside a process that keeps every core busy, as other worker processes
do. It prints a Markdown table and writes it to ``bench/blas-results.md``.

Why it matters: :func:`service.process.tune` limits every server process to ``GRADSERVICE_BLAS_THREADS``
(1 by default), because each worker is already one of several processes sharing the cores.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 3
RESULTS = Path(__file__).with_name("blas-results.md")

TRAIN = """
import time, numpy as np
from threadpoolctl import threadpool_info, threadpool_limits
from gradcore import Layer, gradient_descent
threads = {threads}
if threads:
    threadpool_limits(limits=threads, user_api="blas")
rng = np.random.default_rng(0)
X = rng.normal(size=(1257, 64))
Y = np.eye(10)[rng.integers(0, 10, size=1257)]
layers = [Layer(rng.normal(size=(64, 32)) * 0.1, "tanh"), Layer(rng.normal(size=(32, 10)) * 0.1, "sigmoid")]
start = time.perf_counter()
gradient_descent(layers, X, Y, "half_squared_error", 0.01, 300)
used = max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
print(time.perf_counter() - start, used)
"""


def spin(stop: float) -> None:
    """Keep one core busy until ``stop`` (a ``time.time()``)."""
    while time.time() < stop:
        pass


def run(threads: int) -> tuple[float, int]:
    """Seconds of the 300 steps in a fresh process limited to ``threads`` BLAS threads (0: default)."""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    output = subprocess.run(
        [sys.executable, "-c", TRAIN.format(threads=threads)], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return float(output[0]), int(output[1])


def measure(threads: int, busy: bool) -> tuple[float, int]:
    """The median over :data:`ROUNDS` runs, with every core kept busy by other processes when ``busy``."""
    times, used = [], 0
    for _ in range(ROUNDS):
        spinners = []
        if busy:
            stop = time.time() + 60
            spinners = [multiprocessing.Process(target=spin, args=(stop,)) for _ in range(os.cpu_count() or 1)]
            for process in spinners:
                process.start()
        try:
            seconds, used = run(threads)
        finally:
            for process in spinners:
                process.terminate()
                process.join()
        times.append(seconds)
    return statistics.median(times), used


def main() -> None:
    rows = [
        "| BLAS threads | machine | threads used | seconds (median of 3) |",
        "|---|---|---:|---:|",
    ]
    results = {}
    for busy in (False, True):
        for threads in (0, 1):
            seconds, used = measure(threads, busy)
            results[threads, busy] = seconds
            label = "library default" if threads == 0 else "1 (the service's default)"
            rows.append(f"| {label} | {'busy' if busy else 'quiet'} | {used} | {seconds:.3f} |")
    for busy in (False, True):
        ratio = results[0, busy] / results[1, busy]
        rows.append(f"| default ÷ one thread | {'busy' if busy else 'quiet'} | | {ratio:.2f}× |")
    text = "\n".join(
        [
            "# BLAS threads: library default against one thread per process",
            "",
            "`python -m bench.blas`: 300 gradient-descent steps of a 64-32-10 network (tanh, sigmoid) on 1257 rows,",
            f"each in a fresh process; busy = every core ({os.cpu_count()}) kept busy by other processes.",
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            *rows,
            "",
        ]
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
