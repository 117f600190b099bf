"""``service.process``: freed memory kept for reuse, so that request-sized arrays stop page-faulting."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from service.process import keep_freed_memory

GLIBC = platform.libc_ver()[0] == "glibc"

FAULTS = """
import resource, sys
import numpy as np
from service.process import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory(256)

def request():  # arrays made and dropped as a large request makes them: 2 MB inputs, 1 MB layers, a 24 MB body
    X = np.ones((2048, 128))
    A = np.tanh(X @ np.ones((128, 64)))
    total = (A.T @ A).sum() + X.sum()
    del X
    return total + np.ones(3_000_000).sum()

request()  # the first request grows the heap: not counted
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    request()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> int:
    run = subprocess.run([sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, check=True, timeout=60)
    return int(run.stdout)


def test_zero_keeps_the_c_library_defaults() -> None:
    assert keep_freed_memory(0) is False


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_kept_memory_is_reused_without_page_faults() -> None:
    default, kept = page_faults("default"), page_faults("keep")
    assert kept < 100  # 20 requests touching some 7000 pages each: all of them reused
    assert default > kept  # glibc's defaults give memory back (1763 faults here)


TUNING = """
import sys
import numpy  # loads the BLAS library
from threadpoolctl import threadpool_info
def blas_threads():
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
default = blas_threads()
import service.app  # builds an app: the process keeps its defaults
assert blas_threads() == default, (blas_threads(), default)
import service.server  # a server process: tuned
print(default, blas_threads())
"""


def test_a_server_process_gets_its_blas_threads_and_an_app_alone_does_not() -> None:
    env = {"GRADSERVICE_BLAS_THREADS": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", TUNING], capture_output=True, text=True, env=env, check=True)
    default, tuned = map(int, done.stdout.split())
    assert tuned == 1
    assert default >= 1
