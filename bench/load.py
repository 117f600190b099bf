"""Load generators: ``wrk`` (Debian's package) when installed, else a small Python client.

Both keep ``connections`` keep-alive connections busy for ``duration``
seconds, POSTing one body, and return a :class:`Measurement`.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("{path}", "rb")
wrk.body = file:read("*a")
file:close()
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class Measurement:
    """Throughput and latency of one run."""

    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    """Responses with another status, plus socket errors and timeouts."""


def wrk_path() -> str | None:
    """The ``wrk`` executable, if installed."""
    return shutil.which("wrk")


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * UNITS[unit]


def run_wrk(url: str, body: Path, duration: float, connections: int, cpu: str | None) -> Measurement:
    """Run ``wrk`` (pinned to ``cpu`` with taskset when given) and parse its report."""
    script = body.with_suffix(".lua")
    script.write_text(LUA.format(path=body))
    command = [wrk_path() or "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
    command += ["--timeout", "30s", "-s", str(script), url]
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    report = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", report, re.MULTILINE))
    failures = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", report))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    failures += sum(int(n) for n in errors.groups()) if errors else 0
    return Measurement(rps, _ms(latency["50"]), _ms(latency["99"]), failures)


def run_python(url: str, body: Path, duration: float, connections: int) -> Measurement:
    """The fallback client: one thread per keep-alive connection (``http.client``), closed loop."""
    parsed = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url)
    assert parsed is not None
    host, port, path = parsed.group(1), int(parsed.group(2)), parsed.group(3)
    payload = body.read_bytes()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("POST", path, payload, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += not 200 <= response.status < 300
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1e3
    return Measurement(len(ms) / elapsed, float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), failures[0])
