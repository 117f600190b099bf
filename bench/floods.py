"""``python -m bench.floods [--quick] [--root DIR] [--only NAME]``: issue 26's floods against one real worker.

Each flood runs against a fresh ``python -m service`` (one worker, the default settings, loopback only) and
sends its requests all at once, one connection each:

- ``junk``: 64 concurrent 16 MB bodies ``{"inputs": "aaaa…"}`` to ``/v1/gradients``;
- ``gradients``: 64 concurrent valid 16 MB ``/v1/gradients`` requests (X is m × 900 in full precision);
- ``derivation``: 32 concurrent ``/v1/derivation`` in Markdown (some 6 MB bodies, 20 MB answers).

The table shows the answers by status, the server's baseline RSS (after one small request), its peak (VmHWM)
and its RSS a few seconds after the burst (``settled``: how long it took to come within 64 MiB of the
baseline, or ``-`` if it did not within :data:`SETTLE_SECONDS`), and the slowest of the /healthz asked every 0.25 s
meanwhile. ``--quick`` sends a quarter of each flood.
``--root DIR`` runs the service of another checkout (``git worktree add DIR 8a547b7``) for a before figure.
Never part of a timed test; ``tests/server/test_floods.py`` holds one flood to a generous bound.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
MiB = 1024 * 1024
SETTLE_SECONDS = 10.0
"""How long after the burst RSS may take to come back within :data:`SETTLE_MIB` of the baseline."""
SETTLE_MIB = 64
JSON = {"content-type": "application/json"}


def junk_body(size: int = 16_000_000) -> bytes:
    """``{"inputs": "aaaa…"}``: valid JSON, an invalid request, ``size`` bytes of string."""
    return b'{"inputs": "' + b"a" * size + b'"}'


def gradients_body(limit: int = 16 * MiB) -> bytes:
    """A valid /v1/gradients body just under ``limit`` bytes: one sigmoid layer 900 × 1, X m × 900 in full
    precision (some 18 bytes a number), Y m × 1."""
    rng = np.random.default_rng(26)
    n0 = 900
    W = rng.uniform(-0.1, 0.1, (n0, 1))
    m = 1000
    X = rng.uniform(-1, 1, (m, n0))
    Y = rng.uniform(0, 1, (m, 1))
    content = {"network": {"layers": [{"weights": W}]}, "inputs": X, "targets": Y}
    body = orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
    while len(body) > limit:  # fewer rows until it fits
        m -= 10
        content["inputs"], content["targets"] = X[:m], Y[:m]
        body = orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
    return body


def derivation_body() -> bytes:
    """A /v1/derivation body of some 6 MB whose Markdown answer is some 20 MB: two tanh layers 200 × 100 and
    100 × 100, X 1000 × 200 and Y 1000 × 100 in full precision."""
    rng = np.random.default_rng(27)
    layers = [{"weights": rng.uniform(-0.1, 0.1, shape), "activation": "tanh"} for shape in ((200, 100), (100, 100))]
    X, Y = rng.uniform(-1, 1, (1000, 200)), rng.uniform(-1, 1, (1000, 100))
    content = {"network": {"layers": layers}, "inputs": X, "targets": Y}
    return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


@dataclass
class Flood:
    name: str
    path: str
    body: bytes
    count: int
    accept: str = "application/json"


def floods(quick: bool) -> list[Flood]:
    scale = 4 if quick else 1
    return [
        Flood("junk", "/v1/gradients", junk_body(), 64 // scale),
        Flood("gradients", "/v1/gradients", gradients_body(), 64 // scale),
        Flood("derivation", "/v1/derivation", derivation_body(), 32 // scale, "text/markdown"),
    ]


def status_kib(pid: int, field: str) -> int:
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM)."""
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith(f"{field}:"))
    return int(line.split()[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(root: Path, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``python -m service`` of ``root`` on a free loopback port, ready; stopped (SIGTERM, then SIGKILL) at the end."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "--host", HOST, "--port", str(port)],
            cwd=root,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                output.seek(0)
                raise SystemExit(f"the server did not start:\n{output.read().decode(errors='replace')}")
            yield process, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


PROBE = """
import sys, threading, time, http.client
host, port = sys.argv[1], int(sys.argv[2])
stop, slowest = threading.Event(), [0.0]
def watch():
    sys.stdin.read()
    stop.set()
threading.Thread(target=watch, daemon=True).start()
while not stop.is_set():
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        connection.close()
    except OSError:
        slowest[0] = float("inf")
    slowest[0] = max(slowest[0], time.perf_counter() - start)
    stop.wait(0.25)
print(slowest[0])
"""
"""Asks /healthz every 0.25 s until its standard input closes, then prints the slowest answer's seconds: in a
process of its own, so that the flood's client, busy sending, does not delay it."""


async def send(flood: Flood, url: str, slowest: list[float]) -> collections.Counter[str]:
    """Every request of ``flood`` at once; the answers by status (``error`` for a request with no answer), and the
    slowest /healthz meanwhile in ``slowest[0]``."""
    statuses: collections.Counter[str] = collections.Counter()
    host, port = url.removeprefix("http://").split(":")
    prober = subprocess.Popen(
        [sys.executable, "-c", PROBE, host, port], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    limits = httpx.Limits(max_connections=flood.count, max_keepalive_connections=0)
    headers = {**JSON, "accept": flood.accept}
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one() -> None:
            try:
                async with client.stream("POST", flood.path, content=flood.body, headers=headers) as response:
                    async for _ in response.aiter_bytes():
                        pass
                    statuses[str(response.status_code)] += 1
            except httpx.HTTPError as error:
                statuses[f"error ({type(error).__name__})"] += 1

        await asyncio.gather(*(one() for _ in range(flood.count)))
    slowest[0] = float(prober.communicate("")[0])
    return statuses


@dataclass
class Result:
    flood: Flood
    statuses: collections.Counter[str]
    baseline: float
    peak: float
    after: float
    settled: float | None
    healthz: float

    def row(self) -> str:
        answers = ", ".join(f"{count} × {status}" for status, count in sorted(self.statuses.items()))
        settled = "-" if self.settled is None else f"{self.settled:.1f} s"
        return (
            f"| {self.flood.name} | {self.flood.count} × {len(self.flood.body) / 1e6:.1f} MB | {answers} "
            f"| {self.baseline:.0f} | {self.peak:.0f} | {self.after:.0f} | {settled} | {self.healthz * 1000:.0f} |"
        )


def run(flood: Flood, root: Path) -> Result:
    with server(root) as (process, url):
        httpx.post(url + "/v1/gradients", content=b'{"network":{"layers":[[[1]]]},"inputs":[[1]],"targets":[[0]]}')
        baseline = status_kib(process.pid, "VmRSS") / 1024
        slowest = [0.0]
        statuses = asyncio.run(send(flood, url, slowest))
        end = time.monotonic()
        settled = None
        while time.monotonic() - end < SETTLE_SECONDS:
            rss = status_kib(process.pid, "VmRSS") / 1024
            if rss <= baseline + SETTLE_MIB:
                settled = time.monotonic() - end
                break
            time.sleep(0.1)
        return Result(
            flood,
            statuses,
            baseline,
            status_kib(process.pid, "VmHWM") / 1024,
            status_kib(process.pid, "VmRSS") / 1024,
            settled,
            slowest[0],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of each flood")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose service to run")
    parser.add_argument("--only", choices=["junk", "gradients", "derivation"], action="append")
    args = parser.parse_args()
    print(
        "| flood | requests | answers | baseline RSS MiB | VmHWM MiB | RSS after MiB | back within 64 MiB "
        "| slowest /healthz ms |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for flood in floods(args.quick):
        if args.only and flood.name not in args.only:
            continue
        print(run(flood, args.root.resolve()).row(), flush=True)


if __name__ == "__main__":
    main()
