"""``python -m bench.hostile``: time and extra memory of the hostile bodies of issue 12, each read in a fresh process.

Each body is read by :func:`service.domain.fastpath.read_request` with the default settings, as the server reads
it, in a new Python process that has already imported the service and read the body into memory: the
table shows the time to the refusal and the growth of the process's peak memory (VmHWM) it caused.
``tests/service/domain/fastpath/test_hostile_shapes.py`` holds the same bodies to their problems.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

MANY = 1_990_000
"""One-number layers in 4 MB, or include strings: as many as the byte screen lets through."""


def hostile_bodies() -> dict[str, bytes]:
    """The probe's bodies: 1,990,000 one-number layers (4 MB), an include list of 1,990,000 strings, and
    300,000 ``[[1]]`` layers (1.8 MB, under the byte screen)."""
    tail = b'"inputs":[[1]],"targets":[[1]]}'
    return {
        "1,990,000 one-number layers": b'{"network":{"layers":[' + b",".join([b"1"] * MANY) + b"]}," + tail,
        "include of 1,990,000 strings": b'{"network":{"layers":[{"weights":[[1]]}]},"include":['
        + b",".join([b'"a"'] * MANY)
        + b"],"
        + tail,
        "300,000 [[1]] layers": b'{"network":{"layers":[' + b",".join([b"[[1]]"] * 300_000) + b"]}," + tail,
    }


PROBE = """
import json, sys, time
from pathlib import Path
from service.api.schemas.requests import GradientsRequest
from service.domain.fastpath import read_request
from service.domain.errors import ServiceError
from service.domain.settings import Settings

def hwm():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024

body = Path(sys.argv[1]).read_bytes()
settings = Settings()
read_request(GradientsRequest, b'{"network":{"layers":[{"weights":[[1]]}]},"inputs":[[1]],"targets":[[1]]}', settings)
before = hwm()
start = time.perf_counter()
try:
    read_request(GradientsRequest, body, settings)
    status = 200
except ServiceError as error:
    status = error.status
except Exception as error:
    status = type(error).__name__
seconds = time.perf_counter() - start
print(json.dumps({"status": status, "ms": seconds * 1000, "extra_mib": (hwm() - before) / 2**20}))
"""


def measure(body: bytes) -> dict[str, float]:
    """Status, milliseconds and extra MiB of peak memory to read ``body`` in a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        result = subprocess.run(
            [sys.executable, "-c", PROBE, file.name],
            capture_output=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def main() -> None:
    print("| body | bytes | status | server time ms | extra peak memory MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, body in hostile_bodies().items():
        result = measure(body)
        print(f"| {name} | {len(body):,} | {result['status']} | {result['ms']:.1f} | {result['extra_mib']:.1f} |")


if __name__ == "__main__":
    main()
