"""Start-up time of ``gradserve``: ``python -m bench.startup [--python PY] [--baseline DIR] [--runs N] [--write]``.

Each command runs ``--runs`` times in a fresh process; the table shows the wall time (fastest and
median run) and the CPU time (user + system, fastest run: the figure that load from other
processes on a shared machine disturbs least). The commands:

- ``import service.cli``, what every ``gradserve`` command pays first;
- ``gradserve --help``;
- ``gradserve gradients examples/seed_case_5.json``, computed in this process (the service's app);
- the same with ``--url``, sent to a server started for the measurement;
- ``import service.app``, the floor of a local computation (FastAPI, pydantic, numpy, the app).

``--python`` is the interpreter of the environment to measure, e.g. one that the README's way
installed with the runtime packages only (``UV_PROJECT_ENVIRONMENT=/tmp/runtime uv sync --no-dev``).
``--baseline DIR`` measures a checkout of another commit too (``git worktree add DIR main``): its
commands run with DIR as the working directory, so that its packages come first on ``sys.path``.
``--write`` writes the table to ``bench/startup-results.md`` (``bench/results.md`` belongs to ``bench.run``, which
rewrites it). Never part of a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from service.cli import main; sys.exit(main(sys.argv[1:]))"
"""``gradserve`` as its console script runs it, but from the working directory's packages."""
SEED = "examples/seed_case_5.json"


@dataclass
class Timing:
    """One command's runs: wall and CPU seconds."""

    name: str
    code: str
    wall: list[float]
    cpu: list[float]

    def row(self) -> str:
        wall_min, wall_median = min(self.wall) * 1000, statistics.median(self.wall) * 1000
        return f"| {self.name} | `{self.code}` | {wall_min:.0f} | {wall_median:.0f} | {min(self.cpu) * 1000:.0f} |"


def commands(url: str | None) -> list[tuple[str, list[str]]]:
    """What to time: a label and the interpreter's arguments."""
    todo = [
        ("import service.cli", ["-c", "import service.cli"]),
        ("gradserve --help", ["-c", CLI, "--help"]),
        ("gradserve gradients (local)", ["-c", CLI, "gradients", SEED]),
    ]
    if url is not None:
        todo.append(("gradserve gradients --url", ["-c", CLI, "gradients", SEED, "--url", url]))
    todo.append(("import service.app", ["-c", "import service.app"]))
    return todo


def run_once(python: str, arguments: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run; fails if the command fails."""
    start = time.perf_counter()
    process = subprocess.Popen([python, *arguments], cwd=cwd, stdout=subprocess.DEVNULL)
    _, wait_status, usage = os.wait4(process.pid, 0)  # wait4: the child's own CPU time
    wall = time.perf_counter() - start
    process.returncode = status = os.waitstatus_to_exitcode(wait_status)
    if status != 0:
        raise SystemExit(f"{python} {' '.join(arguments)} failed in {cwd} with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(python: str, cwd: Path, runs: int, url: str | None) -> list[Timing]:
    timings = []
    for name, arguments in commands(url):
        run_once(python, arguments, cwd)  # warm the file cache and the bytecode
        results = [run_once(python, arguments, cwd) for _ in range(runs)]
        shown = " ".join(arguments[2:]) if arguments[1] == CLI else arguments[1]
        timings.append(Timing(name, shown, [wall for wall, _ in results], [cpu for _, cpu in results]))
    return timings


@contextmanager
def server(python: str) -> Iterator[str]:
    """``python -m service`` on a free loopback port, until the block ends."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "GRADSERVICE_PORT": str(port), "GRADSERVICE_LOG_LEVEL": "warning"}
    process = subprocess.Popen([python, "-m", "service"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def table(sections: list[tuple[str, list[Timing]]]) -> list[str]:
    lines = []
    for title, timings in sections:
        lines += [
            f"**{title}**",
            "",
            "| what | command | wall min ms | wall median ms | CPU min ms |",
            "|---|---|---:|---:|---:|",
            *(timing.row() for timing in timings),
            "",
        ]
    return lines


def machine(python: str, runs: int) -> list[str]:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    version = subprocess.run([python, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return [
        f"- `python -m bench.startup --runs {runs}`; {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- interpreter: `{python}` ({version}); load average at the end: {load}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to measure (default: this one)")
    parser.add_argument("--baseline", type=Path, help="a checkout of another commit to measure too")
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default %(default)s)")
    parser.add_argument("--no-server", action="store_true", help="leave out the --url measurement")
    parser.add_argument("--write", action="store_true", help="write the table to bench/startup-results.md")
    args = parser.parse_args(argv)
    sections = []
    with server(args.python) if not args.no_server else _nothing() as url:
        if args.baseline is not None:
            sections.append((f"baseline ({args.baseline})", measure(args.python, args.baseline, args.runs, url)))
        sections.append(("this checkout", measure(args.python, ROOT, args.runs, url)))
    lines = table(sections)
    print("\n".join(lines))
    if args.write:
        text = ["# Start-up of the command line", "", *machine(args.python, args.runs), "", *lines, ""]
        (ROOT / "bench" / "startup-results.md").write_text("\n".join(text), encoding="utf-8")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
