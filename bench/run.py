"""The benchmark: ``python -m bench.run`` (full, a few minutes) or ``python -m bench.run --quick`` (seconds).

Each server runs on a free loopback port, pinned to core 0 (``taskset``),
while the load generator (``wrk``, else :func:`bench.load.run_python`) runs
on core 1. Servers alternate within every round; the table shows the median
over rounds. Results go to ``bench/results.md`` and ``bench/results.png``
(``--quick``: a temporary folder, and the run fails on any non-2xx answer or
any disagreement between the servers' losses).

``--baseline DIR`` also runs the service of another checkout (``git worktree add DIR COMMIT``), with this
environment's packages, in the same rounds, so that before and after are measured side by side.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.load import Measurement, run_python, run_wrk, wrk_path
from bench.report import BASELINE, SERVICE, Result, write_report
from bench.workloads import Workload, workloads

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
UVICORN = [sys.executable, "-m", "uvicorn", "--host", HOST]  # uvicorn defaults, as `python -m service` runs it


@dataclass(frozen=True)
class Server:
    """A server under test: its name, command line (``{port}`` filled in), cores and the checkout it runs in."""

    name: str
    command: list[str]
    cores: int = 1
    root: Path = ROOT

    @property
    def options(self) -> bool:
        """Speaks ``include`` and ``encoding``."""
        return self.name.startswith(SERVICE) or self.name == BASELINE


SERVICE_COMMAND = [sys.executable, "-m", "service", "--host", HOST, "--port", "{port}", "--workers", "1"]
SERVERS = [
    Server(SERVICE, SERVICE_COMMAND),
    Server(
        f"{SERVICE}, 2 workers",
        [sys.executable, "-m", "service", "--host", HOST, "--port", "{port}", "--workers", "2"],
        2,
    ),
    Server("naive", [*UVICORN, "--port", "{port}", "bench.naive_server:app"]),
    Server("lean", [*UVICORN, "--port", "{port}", "bench.lean_server:app"]),
    Server("floor", [*UVICORN, "--port", "{port}", "bench.floor_server:app"]),
]


def free_port() -> int:
    """A port free right now on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def post(port: int, body: bytes) -> tuple[int, bytes]:
    """One POST to /v1/gradients: the status and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("POST", "/v1/gradients", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def server_env() -> dict[str, str]:
    """The environment of the servers: OpenBLAS on one thread, without the slow-down variables (see README)."""
    env = {key: value for key, value in os.environ.items() if key not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return {**env, "OPENBLAS_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def pinned(command: list[str], cores: str | None) -> list[str]:
    """``command`` under ``taskset -c cores`` when pinning is possible."""
    return ["taskset", "-c", cores, *command] if cores is not None else command


@contextmanager
def running(server: Server, pin: bool, probe: bytes) -> Iterator[int]:
    """Start ``server`` on a free port, wait until it answers ``probe``, yield the port; always stop it."""
    port = free_port()
    command = [part.format(port=port) for part in server.command]
    cores = ("0" if server.cores == 1 else "0,1") if pin else None
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            pinned(command, cores), cwd=server.root, env=server_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if post(port, probe)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                log.seek(0)
                raise SystemExit(f"{server.name} did not start:\n{log.read().decode(errors='replace')}")
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def measure(port: int, path: Path, args: argparse.Namespace, pin: bool) -> Measurement:
    """Load /v1/gradients with one body for ``args.duration`` seconds."""
    url = f"http://{HOST}:{port}/v1/gradients"
    if wrk_path() and not args.python_client:
        return run_wrk(url, path, args.duration, args.connections, "1" if pin else None)
    return run_python(url, path, args.duration, args.connections)


def check(server: Server, workload: Workload, status: int, answer: bytes, losses: dict[str, float]) -> None:
    """Every server but the floor must answer 200 with the same loss as the service."""
    if server.name == "floor":
        return
    if status != 200:
        raise SystemExit(f"{server.name} answered {status} to {workload.name}: {answer[:500]!r}")
    loss = float(orjson.loads(answer)["loss"])
    expected = losses.setdefault(workload.name, loss)
    if not math.isclose(loss, expected, rel_tol=1e-12):
        raise SystemExit(f"{server.name} computed loss {loss} for {workload.name}, the service {expected}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="seconds: small workloads, one short round")
    parser.add_argument("--rounds", type=int, default=None, help="rounds over all servers (default 3, quick 1)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per measurement (default 5, quick 1)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--out", type=Path, default=None, help="where to write results.md and results.png")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="a checkout of another commit whose service runs in the same rounds"
    )
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.duration = args.duration or (1.0 if args.quick else 5.0)
    out = args.out or (Path(tempfile.mkdtemp(prefix="bench-")) if args.quick else ROOT / "bench")
    pin = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    servers = SERVERS if args.baseline is None else [*SERVERS, Server(BASELINE, SERVICE_COMMAND, root=args.baseline)]
    loads = workloads(quick=args.quick)
    results: dict[tuple[str, str], list[Measurement]] = {}
    losses: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = {w.name: Path(folder) / f"{w.name}.json" for w in loads}
        for w in loads:
            paths[w.name].write_bytes(orjson.dumps(w.body))
        probe = paths[loads[0].name].read_bytes()
        for round_ in range(args.rounds):
            for server in servers[round_ % len(servers) :] + servers[: round_ % len(servers)]:
                with running(server, pin, probe) as port:
                    for w in loads:
                        if w.options and not server.options:
                            continue
                        body = paths[w.name].read_bytes()
                        for _ in range(3):  # warm up, and check the answer
                            status, answer = post(port, body)
                        check(server, w, status, answer, losses)
                        result = measure(port, paths[w.name], args, pin)
                        results.setdefault((server.name, w.name), []).append(result)
                        print(f"round {round_ + 1}: {server.name:20s} {w.name:15s} {result.rps:9.1f} req/s", flush=True)
    table = [
        Result(
            server,
            workload,
            Measurement(
                statistics.median(m.rps for m in runs),
                statistics.median(m.p50_ms for m in runs),
                statistics.median(m.p99_ms for m in runs),
                sum(m.non_2xx for m in runs),
            ),
        )
        for (server, workload), runs in results.items()
    ]
    generator = "wrk" if wrk_path() and not args.python_client else "Python client (bench/load.py)"
    text = write_report(table, out, args, generator=generator, pinned=pin)
    print(text)
    print(f"written to {out}")
    if args.quick and any(r.measurement.non_2xx for r in table if r.server != "floor"):
        raise SystemExit("some answers were not 2xx")


if __name__ == "__main__":
    main()
